/**
 * The wordloom command: dispatches to a subcommand, prints clear errors (what,
 * where, how to fix) and sets the exit code.
 */
import { isWordloomError } from '@wordloom/core';
import { formatOptions } from './args.js';
import type { Command, CommandThis } from './commands/types.js';
import { runCommand, validateCommand } from './commands/run.js';
import { opsCommand } from './commands/ops.js';
import { neighborsCommand } from './commands/neighbors.js';
import { analogyCommand } from './commands/analogy.js';
import { evalCommand } from './commands/eval.js';
import { classifyCommand } from './commands/classify.js';
import { clusterCommand } from './commands/cluster.js';
import { installInterrupts, interruptExitCode } from './interrupt.js';
import { vectorsCommand, ngramsCommand } from './commands/subword.js';
import { convertCommand } from './commands/convert.js';
import { linearCommand } from './commands/linear.js';

export const commands: Command[] = [runCommand, validateCommand, neighborsCommand, analogyCommand, evalCommand, clusterCommand, classifyCommand, linearCommand, vectorsCommand, ngramsCommand, convertCommand, opsCommand];

const VERSION = '0.1.0';

function mainHelp(): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'wordloom: pipelines for word vectors from your own text (GloVe, neighbours, evaluation)',
    '',
    'usage: wordloom <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'wordloom <command> --help shows a command\'s options.',
  ].join('\n');
}

function bind(c: Command): CommandThis {
  const self: CommandThis = Object.assign(Object.create(c) as Command, {
    help(): number {
      const opts = c.options.length ? `\n\noptions:\n${formatOptions(c.options)}` : '';
      process.stdout.write(`usage: ${c.usage}\n\n${c.summary}${opts}${c.details ? '\n\n' + c.details : ''}\n`);
      return 0;
    },
    usageError(msg: string): number {
      process.stderr.write(`wordloom ${c.name}: ${msg}\nusage: ${c.usage}\n(see wordloom ${c.name} --help)\n`);
      return 2;
    },
  });
  return self;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help']);
    process.stdout.write(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name || (name === 'neighbours' && c.name === 'neighbors'));
  if (!cmd) {
    process.stderr.write(`wordloom: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  if (cmd.interruptible) installInterrupts();
  try {
    const self = bind(cmd);
    const code = await cmd.main.call(self, rest);
    return interruptExitCode() ?? code;
  } catch (e) {
    // Stopped by Ctrl-C or SIGTERM: the work ended on the abort, which is no error to report.
    const stopped = interruptExitCode();
    if (stopped !== undefined) {
      process.stderr.write(`wordloom ${cmd.name}: stopped\n`);
      return stopped;
    }
    if (isWordloomError(e)) {
      process.stderr.write(`wordloom ${cmd.name}: error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`wordloom ${cmd.name}: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
