import type { OptionSpec } from '../args.js';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec[];
  /** Extra help text after the options. */
  details?: string;
  main(this: CommandThis, argv: string[]): Promise<number>;
}

export interface CommandThis extends Command {
  help(): number;
  usageError(msg: string): number;
}
