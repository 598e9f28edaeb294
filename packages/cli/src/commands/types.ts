import type { OptionSpec } from '../args.js';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: OptionSpec[];
  /** Extra help text after the options. */
  details?: string;
  /**
   * The command stops its work on interruptSignal(): Ctrl-C and SIGTERM then stop it
   * cleanly (exit 130 / 143). Other commands keep the default (the signal ends the process).
   */
  interruptible?: boolean;
  main(this: CommandThis, argv: string[]): Promise<number>;
}

export interface CommandThis extends Command {
  help(): number;
  usageError(msg: string): number;
}
