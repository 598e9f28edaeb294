/**
 * The wordloom command: dispatches to a subcommand, prints clear errors (what,
 * where, how to fix) and sets the exit code.
 */
import { isWordloomError } from '@wordloom/core';
import { formatOptions } from './args.js';
import type { Command, CommandThis } from './commands/types.js';
import { installInterrupts, interruptExitCode } from './interrupt.js';

/**
 * The commands, each loaded when it runs: a command's module brings in only what it
 * uses (printing a vector does not load the pipeline executor, RxJS or the kernels),
 * which keeps start-up short. `wordloom --help` loads them all for their summaries.
 */
const registry: { name: string; load: () => Promise<Command> }[] = [
  { name: 'run', load: async () => (await import('./commands/run.js')).runCommand },
  { name: 'validate', load: async () => (await import('./commands/run.js')).validateCommand },
  { name: 'neighbors', load: async () => (await import('./commands/neighbors.js')).neighborsCommand },
  { name: 'analogy', load: async () => (await import('./commands/analogy.js')).analogyCommand },
  { name: 'eval', load: async () => (await import('./commands/eval.js')).evalCommand },
  { name: 'cluster', load: async () => (await import('./commands/cluster.js')).clusterCommand },
  { name: 'skipgram', load: async () => (await import('./commands/word2vec.js')).skipgramCommand },
  { name: 'cbow', load: async () => (await import('./commands/word2vec.js')).cbowCommand },
  { name: 'classify', load: async () => (await import('./commands/classify.js')).classifyCommand },
  { name: 'linear', load: async () => (await import('./commands/linear.js')).linearCommand },
  { name: 'char-gru', load: async () => (await import('./commands/char-gru.js')).charGruCommand },
  { name: 'ksparse', load: async () => (await import('./commands/ksparse.js')).ksparseCommand },
  { name: 'vectors', load: async () => (await import('./commands/subword.js')).vectorsCommand },
  { name: 'ngrams', load: async () => (await import('./commands/subword.js')).ngramsCommand },
  { name: 'convert', load: async () => (await import('./commands/convert.js')).convertCommand },
  { name: 'cache', load: async () => (await import('./commands/cache.js')).cacheCommand },
  { name: 'schema', load: async () => (await import('./commands/schema.js')).schemaCommand },
  { name: 'ops', load: async () => (await import('./commands/ops.js')).opsCommand },
];

/** Every command, in the order the help lists them. */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(registry.map((c) => c.load()));
}

const VERSION = '0.1.0';

async function mainHelp(): Promise<string> {
  const commands = await loadCommands();
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
    process.stdout.write((await mainHelp()) + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const entry = registry.find((c) => c.name === name || (name === 'neighbours' && c.name === 'neighbors'));
  if (!entry) {
    process.stderr.write(`wordloom: unknown command "${name}"\n\n${await mainHelp()}\n`);
    return 2;
  }
  const cmd = await entry.load();
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
