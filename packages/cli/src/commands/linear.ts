import { WordloomError } from '@wordloom/core';
import { LinearModel, heaviestFeatures, predictLinear, testLinear, trainLinear, LINEAR_DEFAULTS, type LinearParams } from '@wordloom/ops/linear/index';
import { standaloneContext } from '@wordloom/ops/op';
import { parseArgs, type OptionSpec, printSubcommandHelp } from '../args.js';
import { fmtNumber } from '../format.js';
import type { Command, CommandThis } from './types.js';

const readOptions: OptionSpec[] = [
  { name: 'format', type: 'string', default: 'auto', valueName: 'auto|vw|libsvm|fasttext|tsv', doc: 'line format (auto: guessed from each file\'s first line)' },
  { name: 'skip-malformed', type: 'boolean', doc: 'skip malformed lines (counted, the first named) instead of failing (train skips by default; see --strict)' },
  { name: 'strict', type: 'boolean', doc: 'fail at the first malformed line, naming its file:line' },
];
const trainOptions: OptionSpec[] = [
  { name: 'output', alias: 'o', type: 'string', valueName: 'model.bin', doc: 'write the model here (atomically)' },
  { name: 'init', alias: 'i', type: 'string', valueName: 'model.bin', doc: 'continue training this model on the new data' },
  ...readOptions,
  { name: 'label-prefix', type: 'string', default: '__label__', doc: 'prefix of label tokens in fastText lines' },
  { name: 'bits', alias: 'b', type: 'number', default: LINEAR_DEFAULTS.bits, doc: 'hash features into 2^bits weights (1..30)' },
  { name: 'ngram', type: 'number', default: 1, doc: 'word n-grams up to this length (2 = words and bigrams)' },
  { name: 'quadratic', alias: 'q', type: 'string', repeat: true, valueName: 'ab', doc: 'cross namespaces a and b (first letters)' },
  { name: 'noconstant', type: 'boolean', doc: 'no constant (bias) feature' },
  { name: 'loss', type: 'string', default: 'hinge', valueName: 'hinge|logistic|squared', doc: 'loss function' },
  { name: 'task', type: 'string', default: 'binary', valueName: 'binary|oaa|softmax|regression', doc: 'what is learned' },
  { name: 'classes', type: 'number', default: 2, doc: 'classes for oaa and softmax' },
  { name: 'labels', type: 'string', valueName: 'a,b,...', doc: 'label names in class order (binary: negative,positive)' },
  { name: 'update', type: 'string', default: 'normalized', valueName: 'normalized|adagrad|sgd', doc: "update rule (normalized: VW's default)" },
  { name: 'lr', alias: 'l', type: 'number', doc: 'learning rate (default 0.5; 0.1 for sgd)' },
  { name: 'lr-schedule', type: 'string', default: 'auto', valueName: 'auto|constant|power_t', doc: 'lr (1+t)^-power_t, or constant' },
  { name: 'power-t', type: 'number', default: 0.5, doc: 'exponent of the power_t schedule' },
  { name: 'l1', type: 'number', default: 0, doc: 'L1 strength (truncated gradient)' },
  { name: 'l2', type: 'number', default: 0, doc: 'L2 strength' },
  { name: 'passes', type: 'number', default: 1, doc: 'passes over the data (after the first, from a cache of hashed examples)' },
  { name: 'cache', type: 'string', default: 'memory', valueName: 'memory|disk', doc: 'where the cache lives' },
  { name: 'shuffle', type: 'boolean', doc: 'shuffle the cached examples before every pass after the first (seeded)' },
  { name: 'seed', type: 'number', default: 1, doc: 'seed of the shuffles' },
  { name: 'keep-names', type: 'boolean', doc: 'keep feature names for inspect (costs memory)' },
  { name: 'threads', type: 'number', default: 1, doc: 'Hogwild worker threads (1 = deterministic)' },
  { name: 'kernels', type: 'string', default: 'auto', valueName: 'auto|wasm|typescript', doc: "the update rule's inner loops: WebAssembly where available (auto), or TypeScript (the same weights)" },
  { name: 'quiet', alias: 'Q', type: 'boolean', doc: 'no progress' },
  { name: 'json', type: 'boolean', doc: 'print the result as JSON' },
];
const testOptions: OptionSpec[] = [...readOptions, { name: 'json', type: 'boolean', doc: 'print JSON' }];
const predictOptions: OptionSpec[] = [...readOptions, { name: 'scores', type: 'boolean', doc: 'print the score (binary: margin, or probability for logistic; multi-class: every class) after the label' }];
const inspectOptions: OptionSpec[] = [{ name: 'top', type: 'number', default: 20, doc: 'how many weights' }, { name: 'json', type: 'boolean', doc: 'print JSON' }];

function onError(o: Record<string, unknown>, dflt: 'skip' | 'fail'): 'skip' | 'fail' {
  if (o.strict && o['skip-malformed']) throw new WordloomError('E_PARAM', '--strict and --skip-malformed contradict each other', { param: 'strict' });
  return o.strict ? 'fail' : o['skip-malformed'] ? 'skip' : dflt;
}

async function train(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, trainOptions);
  if (a.help) return help('train', trainOptions);
  if (!a.positionals.length) return self.usageError('name the training data: files, globs, or - for standard input');
  const o = a.options;
  const params: Partial<LinearParams> = {
    input: a.positionals, format: o.format as LinearParams['format'], label_prefix: o['label-prefix'] as string,
    bits: o.bits as number, ngram: o.ngram as number, quadratic: (o.quadratic as string[] | undefined) ?? [], bias: !o.noconstant,
    loss: o.loss as LinearParams['loss'], task: o.task as LinearParams['task'], classes: o.classes as number,
    labels: o.labels ? String(o.labels).split(',') : undefined, update: o.update as LinearParams['update'], lr: o.lr as number | undefined,
    lr_schedule: o['lr-schedule'] as LinearParams['lr_schedule'], power_t: o['power-t'] as number, l1: o.l1 as number, l2: o.l2 as number,
    passes: o.passes as number, cache: o.cache as LinearParams['cache'], shuffle: !!o.shuffle, seed: o.seed as number, keep_names: !!o['keep-names'], init: o.init as string | undefined,
    output: o.output as string | undefined, on_error: onError(o, 'skip'), threads: o.threads as number, kernels: o.kernels as LinearParams['kernels'],
  };
  const quiet = !!o.quiet || !!o.json;
  let last = 0;
  const ctx = standaloneContext({
    node: 'linear', threads: o.threads as number,
    log: (m) => { if (!quiet) process.stderr.write(`${m}\n`); },
    progress: (u) => {
      if (quiet || !u.metrics) return;
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      const m = u.metrics;
      process.stderr.write(`${u.phase}: ${fmtNumber(u.done ?? 0)} examples, loss ${m.loss}, error ${m.error}, ${fmtNumber(Number(m['examples/s']))} examples/s\n`);
    },
  });
  const res = await trainLinear(params, ctx);
  const h = res.model.header;
  if (o.json) process.stdout.write(JSON.stringify({ ...res.train, labels: h.labels, task: h.task, loss: h.loss, update: h.update, bits: h.bits, files: res.files }, null, 2) + '\n');
  else {
    const lines = [`learned from ${fmtNumber(res.train.examples)} examples x ${res.train.passes} pass(es) in ${res.train.seconds.toFixed(2)} s (${fmtNumber(Math.round(res.train.examplesPerSecond))} examples/s, ${res.train.threads} thread(s), ${res.train.kernels} loops); ${h.task} ${h.loss}, ${h.update} update, 2^${h.bits} weights`,
      `progressive validation: loss ${res.train.progressiveLoss.toFixed(6)}${res.model.isClassifier ? `, error ${res.train.progressiveError.toFixed(4)}` : ''}${res.train.skipped ? `; ${res.train.skipped} malformed line(s) skipped` : ''}`];
    if (res.train.passes > 1) lines.push(`loss per pass: ${res.train.passLosses.map((x) => x.toFixed(6)).join(' ')}`);
    if (res.files.length) lines.push(`model written to ${res.files.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}

async function test(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, testOptions);
  if (a.help) return help('test', testOptions);
  const [modelFile, ...inputs] = a.positionals;
  if (!modelFile) return self.usageError('name a model and the test data (files, globs, or - / nothing for standard input)');
  const model = await LinearModel.load(modelFile);
  const r = await testLinear(model, inputs.length ? inputs : ['-'], { format: a.options.format as LinearParams['format'], onError: onError(a.options, 'skip'), log: (m) => process.stderr.write(`${m}\n`) });
  if (a.options.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else if (!model.isClassifier) process.stdout.write(`N\t${r.examples}\nMSE\t${r.loss.toFixed(6)}\n`);
  else process.stdout.write(`N\t${r.examples}\nP@1\t${r.precision.toFixed(4)}\nR@1\t${r.recall.toFixed(4)}\naccuracy\t${r.accuracy.toFixed(4)}\n`);
  return 0;
}

async function predict(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, predictOptions);
  if (a.help) return help('predict', predictOptions);
  const [modelFile, ...inputs] = a.positionals;
  if (!modelFile) return self.usageError('name a model (and data files, or - / nothing for standard input)');
  const model = await LinearModel.load(modelFile);
  const h = model.header;
  const prefix = h.label_mode === 'names' ? h.label_prefix : '';
  let buf = '';
  for await (const p of predictLinear(model, inputs.length ? inputs : ['-'], { format: a.options.format as LinearParams['format'], onError: onError(a.options, 'skip'), log: (m) => process.stderr.write(`${m}\n`) })) {
    let line = model.isClassifier ? prefix + p.label : p.label;
    if (a.options.scores && model.isClassifier) line += p.scores ? ' ' + Array.from(p.scores, (s, c) => `${prefix}${model.labelName(c)}:${s.toPrecision(6)}`).join(' ') : ` ${p.score.toPrecision(6)}`;
    if (p.tag !== undefined) line += ` ${p.tag}`;
    buf += line + '\n';
    if (buf.length > 1 << 16) {
      if (!process.stdout.write(buf)) await new Promise((r) => process.stdout.once('drain', r));
      buf = '';
    }
  }
  process.stdout.write(buf);
  return 0;
}

async function inspect(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, inspectOptions);
  if (a.help) return help('inspect', inspectOptions);
  const [modelFile] = a.positionals;
  if (!modelFile) return self.usageError('name a model');
  const model = await LinearModel.load(modelFile);
  const h = model.header;
  const top = heaviestFeatures(model, a.options.top as number);
  if (a.options.json) {
    process.stdout.write(JSON.stringify({ header: { ...h, globals: undefined }, names: model.names?.size ?? 0, top: top.map((t) => ({ ...t, label: h.classes > 1 ? model.labelName(t.cls) : undefined })) }, null, 2) + '\n');
    return 0;
  }
  const lines = [`${h.task} ${h.loss}, ${h.update} update, 2^${h.bits} weights, ngram ${h.ngram}${h.quadratic.length ? `, quadratic ${h.quadratic.join(' ')}` : ''}, labels ${h.labels.join(', ') || '(none)'}${h.task === 'binary' && h.labels.length === 2 ? ` (a positive weight pulls toward ${h.labels[1]})` : ''}, ${fmtNumber(h.examples)} examples learned`];
  if (!model.names) lines.push('(no feature names kept: train with --keep-names to see them)');
  for (const t of top) lines.push(`${t.weight.toFixed(6)}\t${t.index}${h.classes > 1 ? `\t${model.labelName(t.cls)}` : ''}\t${t.name ?? ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function help(sub: string, opts: OptionSpec[]): number {
  return printSubcommandHelp(USAGE[sub]!, opts);
}

const USAGE: Record<string, string> = {
  train: 'wordloom linear train <data...|-> [--output model.bin] [--init model.bin] [--loss hinge] [--task binary] [--ngram 2] [--passes 5] [options]',
  test: 'wordloom linear test <model.bin> [data...|-]',
  predict: 'wordloom linear predict <model.bin> [data...|-] [--scores]',
  inspect: 'wordloom linear inspect <model.bin> [--top 20]',
};

export const linearCommand: Command = {
  name: 'linear',
  usage: 'wordloom linear train|test|predict|inspect ...',
  summary: 'Online linear models (SVM, logistic, least squares; binary, one-against-all, softmax) on hashed sparse features, as Vowpal Wabbit hashes them; Hogwild workers.',
  options: [],
  details: Object.values(USAGE).join('\n') + "\n\nData: Vowpal Wabbit text, libsvm/svmlight, fastText __label__ lines or label<TAB>text, streamed.\nwordloom linear <train|test|predict|inspect> --help lists each one's options.",
  async main(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '-h' || sub === '--help') return this.help();
    if (sub === 'train') return train(this, rest);
    if (sub === 'test') return test(this, rest);
    if (sub === 'predict') return predict(this, rest);
    if (sub === 'inspect') return inspect(this, rest);
    return this.usageError(`unknown subcommand "${sub}": use train, test, predict or inspect`);
  },
};
