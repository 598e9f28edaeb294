import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { WordloomError } from '@wordloom/core';
import { CharGRUModel, CHAR_GRU_DEFAULTS, testCharGRU, trainCharGRU, type CharGRUParams } from '@wordloom/ops/char-gru/index';
import { readExamples } from '@wordloom/ops/classify/index';
import { outputPathProblem } from '@wordloom/ops/io/atomic';
import { standaloneContext } from '@wordloom/ops/op';
import { parseArgs, type OptionSpec, printSubcommandHelp } from '../args.js';
import { fmtNumber } from '../format.js';
import type { Command, CommandThis } from './types.js';
import { interruptSignal } from '../interrupt.js';

const D = CHAR_GRU_DEFAULTS;
const dataOptions: OptionSpec[] = [
  { name: 'labels', type: 'string', valueName: 'file', doc: 'labels of each input line, one line each (instead of __label__ tokens in the text)' },
  { name: 'class', type: 'string', repeat: true, valueName: 'label=file', doc: 'every line of file is an example of label (instead of an input file)' },
  { name: 'label-prefix', type: 'string', default: D.label_prefix, doc: 'prefix of label tokens' },
];
const trainOptions: OptionSpec[] = [
  { name: 'output', alias: 'o', type: 'string', valueName: 'model.bin', doc: 'write the model here' },
  ...dataOptions,
  { name: 'test-fraction', type: 'number', default: D.test_fraction, doc: 'hold out this fraction (seeded) and report accuracy on it; 0 = train on all' },
  { name: 'embed-dim', type: 'number', default: D.embed_dim, doc: 'size of the character embeddings' },
  { name: 'hidden', type: 'number', default: D.hidden, doc: 'size of the GRU state' },
  { name: 'layers', type: 'number', default: D.layers, doc: 'stacked GRU layers' },
  { name: 'reverse', type: 'boolean', doc: 'read each text from its last character to its first' },
  { name: 'epoch', type: 'number', default: D.epoch, doc: 'passes over the examples' },
  { name: 'lr', type: 'number', default: D.lr, doc: 'learning rate (Adam, and SparseAdam/LazyAdam for the embedding)' },
  { name: 'batch', type: 'number', default: D.batch, doc: 'texts per optimizer step' },
  { name: 'min-count', type: 'number', default: D.min_count, doc: 'rarer characters read as the unknown character' },
  { name: 'max-length', type: 'number', default: D.max_length, doc: 'cut longer texts to this many characters' },
  { name: 'optimizer', type: 'string', default: D.optimizer, valueName: 'sparse_adam|lazy_adam', doc: "the embedding rows' optimizer" },
  { name: 'kernels', type: 'string', default: D.kernels, valueName: 'auto|simd|typescript', doc: 'matrix products: WebAssembly SIMD where available (auto), or TypeScript' },
  { name: 'threads', type: 'number', doc: "threads running parts of each batch side by side (default: the cores, at most 4: a batch of 32 texts gains little from more); a seed and a thread count give the same model" },
  { name: 'seed', type: 'number', default: 1, doc: 'seed of the initialisation, the split and the order' },
  { name: 'quiet', alias: 'q', type: 'boolean', doc: 'no progress' },
  { name: 'json', type: 'boolean', doc: 'print the result as JSON' },
];
const testOptions: OptionSpec[] = [...dataOptions, { name: 'json', type: 'boolean', doc: 'print JSON' }];
const predictOptions: OptionSpec[] = [
  { name: 'k', alias: 'k', type: 'number', default: 1, doc: 'labels per line' },
  { name: 'prob', type: 'boolean', doc: "print each label's probability after it" },
];

function classSources(list: string[] | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const c of list) {
    const eq = c.indexOf('=');
    if (eq <= 0 || eq === c.length - 1) throw new WordloomError('E_PARAM', `--class needs label=file, got ${JSON.stringify(c)}`, { param: 'class' }, 'e.g. --class pos=data/classify/rt-polarity.pos');
    out[c.slice(0, eq)] = c.slice(eq + 1);
  }
  return out;
}

async function train(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, trainOptions);
  if (a.help) return help('train', trainOptions);
  const o = a.options;
  const classes = classSources(o.class as string[] | undefined);
  const input = a.positionals[0];
  if (a.positionals.length > 1) return self.usageError('name one input file');
  if (!input && !classes) return self.usageError('name an input file (fastText format) or give --class label=file for each label');
  const params: Partial<CharGRUParams> = {
    input, labels: o.labels as string | undefined, classes, label_prefix: o['label-prefix'] as string, test_fraction: o['test-fraction'] as number,
    embed_dim: o['embed-dim'] as number, hidden: o.hidden as number, layers: o.layers as number, reverse: !!o.reverse, epoch: o.epoch as number,
    lr: o.lr as number, batch: o.batch as number, min_count: o['min-count'] as number, max_length: o['max-length'] as number,
    optimizer: o.optimizer as CharGRUParams['optimizer'], kernels: o.kernels as CharGRUParams['kernels'], seed: o.seed as number, output: o.output as string | undefined,
  };
  const problem = params.output === undefined ? undefined : outputPathProblem(params.output);
  if (problem) throw new WordloomError('E_FILE', problem.message, { param: 'output' }, problem.hint);
  const quiet = !!o.quiet || !!o.json;
  let last = 0;
  const ctx = standaloneContext({
    node: 'char-gru',
    signal: interruptSignal(),
    threads: (o.threads as number | undefined) ?? Math.max(1, Math.min(4, availableParallelism())),
    seed: o.seed as number,
    log: (m) => { if (!quiet || m.startsWith('warning:')) process.stderr.write(`${m}\n`); },
    progress: (u) => {
      if (quiet || u.phase !== 'training' || u.done === u.total) return;
      const now = Date.now();
      if (now - last < 2000) return;
      last = now;
      process.stderr.write(`training: epoch ${u.metrics?.epoch}, ${fmtNumber(u.done ?? 0)}/${fmtNumber(u.total ?? 0)} texts, loss ${u.metrics?.loss}\n`);
    },
  });
  const res = await trainCharGRU(params, ctx);
  const t = res.train;
  const summary = { examples: t.examples, labels: res.model.config.labels, alphabet: t.alphabet, kernels: t.kernels, threads: t.threads, seconds: t.seconds, epochSeconds: t.epochSeconds, losses: t.losses, test: res.test, files: res.files };
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    const mean = t.epochSeconds.reduce((x, y) => x + y, 0) / t.epochSeconds.length;
    const lines = [`trained on ${fmtNumber(t.examples)} texts, ${res.model.config.labels.length} labels, ${t.alphabet} characters: ${t.epochs} epochs in ${t.seconds.toFixed(1)} s (${mean.toFixed(2)} s an epoch, ${t.threads} thread${t.threads === 1 ? '' : 's'}, ${t.kernels} products); final loss ${t.losses.at(-1)?.toFixed(4)}`];
    if (res.test) lines.push(`test: ${res.test.examples} texts, accuracy ${res.test.accuracy.toFixed(4)}`);
    if (res.files.length) lines.push(`model written to ${res.files.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}

async function test(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, testOptions);
  if (a.help) return help('test', testOptions);
  const [modelFile, input] = a.positionals;
  const classes = classSources(a.options.class as string[] | undefined);
  if (!modelFile || (!input && !classes)) return self.usageError('name a model and a test file (or --class label=file ...)');
  const model = await CharGRUModel.load(modelFile);
  const examples = await readExamples({ input, labels: a.options.labels as string | undefined, classes, label_prefix: a.options['label-prefix'] as string });
  const r = testCharGRU(model, examples);
  process.stdout.write(a.options.json ? JSON.stringify(r, null, 2) + '\n' : `N\t${r.examples}\naccuracy\t${r.accuracy.toFixed(4)}\n`);
  return 0;
}

async function predict(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, predictOptions);
  if (a.help) return help('predict', predictOptions);
  const [modelFile, input] = a.positionals;
  if (!modelFile) return self.usageError('name a model (and a text file, or - / nothing for standard input)');
  const model = await CharGRUModel.load(modelFile);
  let text: string;
  try {
    if (!input || input === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else text = await readFile(input, 'utf8');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the text: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: input });
  }
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const preds = model.predict(lines.map((l) => l.trim().split(/\s+/).filter(Boolean).join(' ')), a.options.k as number);
  const out = preds.map((ps) => ps.map((p) => `__label__${p.label}${a.options.prob ? ` ${p.probability.toPrecision(5)}` : ''}`).join(' '));
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  return 0;
}

function help(sub: string, opts: OptionSpec[]): number {
  return printSubcommandHelp(USAGE[sub]!, opts);
}

const USAGE: Record<string, string> = {
  train: 'wordloom char-gru train <input.txt> | --class label=file ... [--output model.bin] [--test-fraction 0.1] [--reverse] [options]',
  test: 'wordloom char-gru test <model.bin> <test.txt> | --class label=file ...',
  predict: 'wordloom char-gru predict <model.bin> [text.txt | -] [-k 1] [--prob]',
};

export const charGruCommand: Command = {
  interruptible: true,
  name: 'char-gru',
  usage: 'wordloom char-gru train|test|predict ...',
  summary: 'Train a character-level GRU text classifier (packed batches, optionally right to left), test its accuracy, predict labels.',
  options: [],
  details: Object.values(USAGE).join('\n') + "\n\nwordloom char-gru <train|test|predict> --help lists each one's options.",
  async main(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '-h' || sub === '--help') return this.help();
    if (sub === 'train') return train(this, rest);
    if (sub === 'test') return test(this, rest);
    if (sub === 'predict') return predict(this, rest);
    return this.usageError(`unknown subcommand "${sub}": use train, test or predict`);
  },
};
