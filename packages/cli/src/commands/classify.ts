import { readFile } from 'node:fs/promises';
import { WordloomError } from '@wordloom/core';
import { detectFastTextModel, FastTextPredictor, formatPredictions, formatTestResult, loadFastTextModel, testSupervised, textLines } from '@wordloom/ops/subword/index';
import { ClassifierModel, readExamples, testClassifier, trainClassifier, CLASSIFY_DEFAULTS, type ClassifyParams } from '@wordloom/ops/classify/index';
import { outputPathProblem } from '@wordloom/ops/io/atomic';
import { standaloneContext } from '@wordloom/ops/op';
import { parseArgs, type OptionSpec, printSubcommandHelp } from '../args.js';
import { fmtNumber } from '../format.js';
import type { Command, CommandThis } from './types.js';
import { interruptSignal } from '../interrupt.js';

const dataOptions: OptionSpec[] = [
  { name: 'labels', type: 'string', valueName: 'file', doc: 'labels of each input line, one line each (instead of __label__ tokens in the text)' },
  { name: 'class', type: 'string', repeat: true, valueName: 'label=file', doc: 'every line of file is an example of label (instead of an input file)' },
  { name: 'label-prefix', type: 'string', default: '__label__', doc: 'prefix of label tokens' },
];
const trainOptions: OptionSpec[] = [
  { name: 'output', alias: 'o', type: 'string', valueName: 'model.bin', doc: 'write the model here' },
  { name: 'output-format', type: 'string', default: 'wordloom', valueName: 'wordloom|fasttext', doc: "the model file's format: wordloom's, or a fastText supervised .bin (fastText loads it and predicts the same)" },
  ...dataOptions,
  { name: 'test-fraction', type: 'number', default: 0, doc: 'hold out this fraction (seeded) and report precision/recall at k on it' },
  { name: 'dim', type: 'number', default: CLASSIFY_DEFAULTS.dim, doc: 'size of the word vectors' },
  { name: 'epoch', type: 'number', default: CLASSIFY_DEFAULTS.epoch, doc: 'passes over the examples' },
  { name: 'lr', type: 'number', default: CLASSIFY_DEFAULTS.lr, doc: 'learning rate (0.1 for sgd/adagrad)' },
  { name: 'lr-schedule', type: 'string', default: 'linear', valueName: 'linear|constant', doc: 'linear decay to 0 (fastText) or constant' },
  { name: 'word-ngrams', type: 'number', default: CLASSIFY_DEFAULTS.word_ngrams, doc: 'word n-grams up to this length' },
  { name: 'bucket', type: 'number', default: CLASSIFY_DEFAULTS.bucket, doc: 'hash buckets for word n-grams' },
  { name: 'min-count', type: 'number', default: 1, doc: 'drop rarer words' },
  { name: 'optimizer', type: 'string', default: CLASSIFY_DEFAULTS.optimizer, valueName: 'lazy_adam|sparse_adam|adam|adagrad|smorms3|sgd', doc: 'embedding optimizer (the linear layer gets Adam with lazy_adam/sparse_adam)' },
  { name: 'batch', type: 'number', default: 1, doc: 'examples per optimizer step' },
  { name: 'backend', type: 'string', default: 'auto', valueName: 'auto|wasm|typescript', doc: "training kernel: generated WebAssembly SIMD (lazy_adam, sparse_adam, sgd with batch 1), core's TypeScript optimizers (all), or auto" },
  { name: 'k', alias: 'k', type: 'number', default: 1, doc: 'labels per example for precision/recall' },
  { name: 'threads', type: 'number', default: 2, doc: 'worker threads (Hogwild)' },
  { name: 'seed', type: 'number', default: 1, doc: 'seed (one thread and a seed give the same model)' },
  { name: 'quiet', alias: 'q', type: 'boolean', doc: 'no progress' },
  { name: 'json', type: 'boolean', doc: 'print the result as JSON' },
];
const testOptions: OptionSpec[] = [...dataOptions, { name: 'k', alias: 'k', type: 'number', default: 1, doc: 'labels per example' }, { name: 'json', type: 'boolean', doc: 'print JSON' }];
const predictOptions: OptionSpec[] = [
  { name: 'k', alias: 'k', type: 'number', default: 1, doc: 'labels per line' },
  { name: 'threshold', type: 'number', default: 0, doc: 'only labels with at least this probability' },
  { name: 'prob', type: 'boolean', doc: 'print each label\'s probability after it (fastText predict-prob)' },
];

function classSources(a: ReturnType<typeof parseArgs>): Record<string, string> | undefined {
  const list = a.options.class as string[] | undefined;
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
  const classes = classSources(a);
  const input = a.positionals[0];
  if (a.positionals.length > 1) return self.usageError('name one input file');
  if (!input && !classes) return self.usageError('name an input file (fastText format) or give --class label=file for each label');
  const o = a.options;
  const params: Partial<ClassifyParams> = {
    input, labels: o.labels as string | undefined, classes, label_prefix: o['label-prefix'] as string, test_fraction: o['test-fraction'] as number,
    dim: o.dim as number, epoch: o.epoch as number, lr: o.lr as number, lr_schedule: o['lr-schedule'] as ClassifyParams['lr_schedule'],
    word_ngrams: o['word-ngrams'] as number, bucket: o.bucket as number, min_count: o['min-count'] as number,
    optimizer: o.optimizer as ClassifyParams['optimizer'], batch: o.batch as number, k: o.k as number, output: o.output as string | undefined,
    output_format: o['output-format'] as ClassifyParams['output_format'],
    backend: o.backend as ClassifyParams['backend'],
  };
  const problem = params.output === undefined ? undefined : outputPathProblem(params.output);
  if (problem) throw new WordloomError('E_FILE', problem.message, { param: 'output' }, problem.hint);
  const quiet = !!o.quiet || !!o.json;
  let last = 0;
  const ctx = standaloneContext({
    node: 'classify',
    signal: interruptSignal(),
    threads: o.threads as number,
    seed: o.seed as number,
    log: (m) => { if (!quiet || m.startsWith('warning:')) process.stderr.write(`${m}\n`); },
    progress: (u) => {
      if (quiet || u.phase !== 'training') return;
      const now = Date.now();
      if (now - last < 1000 && u.done !== u.total) return;
      last = now;
      const m = u.metrics ?? {};
      process.stderr.write(`training: epoch ${m.epoch}, ${fmtNumber(u.done ?? 0)}/${fmtNumber(u.total ?? 0)} examples, loss ${m.loss}, ${fmtNumber(Number(m['sentences/s']))} sentences/s\n`);
    },
  });
  const res = await trainClassifier(params, ctx);
  const summary = {
    examples: res.train.examples, labels: res.model.labels.length, words: res.model.words.length, optimizer: res.train.optimizer,
    seconds: res.train.seconds, sentencesPerSecond: res.train.sentencesPerSecond, loss: res.train.losses.at(-1), test: res.test, files: res.files,
  };
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    const lines = [
      `trained on ${fmtNumber(summary.examples)} examples, ${summary.labels} labels, ${fmtNumber(summary.words)} words in ${summary.seconds.toFixed(2)} s (${fmtNumber(Math.round(summary.sentencesPerSecond))} sentences/s, ${res.train.threads} threads, ${res.train.backend.replace(/:.*/, '')}), ${summary.optimizer}; final loss ${summary.loss?.toFixed(4)}`,
    ];
    if (res.test) lines.push(`test: ${res.test.examples} examples, P@${res.test.k} ${res.test.precision.toFixed(4)}, R@${res.test.k} ${res.test.recall.toFixed(4)}`);
    if (res.files.length) lines.push(`model written to ${res.files.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}

async function test(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, testOptions);
  if (a.help) return help('test', testOptions);
  const [modelFile, input] = a.positionals;
  const classes = classSources(a);
  if (!modelFile || (!input && !classes)) return self.usageError('name a model and a test file (or --class label=file ...)');
  if (detectFastTextModel(modelFile)) {
    // a fastText supervised model: tested on a fastText-format file as `fasttext test` does
    if (classes || a.options.labels || !input) return self.usageError('a fastText model is tested on one file with __label__ tokens in each line (no --class / --labels)');
    const r = testSupervised(new FastTextPredictor(await loadFastTextModel(modelFile)), await readInput(input), a.options.k as number);
    process.stdout.write(a.options.json ? JSON.stringify(r, null, 2) + '\n' : formatTestResult(r));
    return 0;
  }
  const model = await ClassifierModel.load(modelFile);
  const examples = await readExamples({ input, labels: a.options.labels as string | undefined, classes, label_prefix: (a.options['label-prefix'] as string) ?? model.labelPrefix });
  const r = testClassifier(model, examples, a.options.k as number);
  if (a.options.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stdout.write(`N\t${r.examples}\nP@${r.k}\t${r.precision.toFixed(4)}\nR@${r.k}\t${r.recall.toFixed(4)}\n`);
  return 0;
}

async function predict(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, predictOptions);
  if (a.help) return help('predict', predictOptions);
  const [modelFile, input] = a.positionals;
  if (!modelFile) return self.usageError('name a model (and a text file, or - / nothing for standard input)');
  if (detectFastTextModel(modelFile)) {
    // a fastText supervised model (.bin/.ftz): lines as `fasttext predict` / `predict-prob` print them
    const p = new FastTextPredictor(await loadFastTextModel(modelFile));
    const data = await readInput(input);
    const k = a.options.k as number;
    const out: string[] = [];
    for (const [s, e, nl] of textLines(data)) out.push(formatPredictions(p.predictLine(data.subarray(s, e), k, a.options.threshold as number, nl), !!a.options.prob));
    process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
    return 0;
  }
  const model = await ClassifierModel.load(modelFile);
  let text: string;
  try {
    text = !input || input === '-' ? await readStdin() : await readFile(input, 'utf8');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the text: ${(e as Error).message}`, { file: input });
  }
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  for (const line of lines) {
    const preds = model.predict(line, a.options.k as number, a.options.threshold as number);
    out.push(preds.map((p) => model.labelPrefix + p.label + (a.options.prob ? ` ${p.probability.toPrecision(5)}` : '')).join(' '));
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  return 0;
}

/** The bytes of a text file, or of standard input for "-" or none. */
async function readInput(input: string | undefined): Promise<Uint8Array> {
  try {
    if (!input || input === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    }
    return await readFile(input);
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the text: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: input });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function help(sub: string, opts: OptionSpec[]): number {
  return printSubcommandHelp(USAGE[sub]!, opts);
}

const USAGE: Record<string, string> = {
  train: 'wordloom classify train <input.txt> | --class label=file ... [--output model.bin] [--test-fraction 0.1] [options]',
  test: 'wordloom classify test <model.bin> <test.txt> | --class label=file ... [-k 1]   (fastText .bin/.ftz models too: prints as `fasttext test`)',
  predict: 'wordloom classify predict <model.bin> [text.txt | -] [-k 1] [--prob]   (fastText .bin/.ftz models too: prints as `fasttext predict[-prob]`)',
};

export const classifyCommand: Command = {
  interruptible: true,
  name: 'classify',
  usage: 'wordloom classify train|test|predict ...',
  summary: 'Train a fastText-style text classifier (sparse + dense routed optimizer, Hogwild workers), test it (P@k, R@k), predict labels.',
  options: [],
  details: Object.values(USAGE).join('\n') + '\n\nwordloom classify <train|test|predict> --help lists each one\'s options.',
  async main(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '-h' || sub === '--help') return this.help();
    if (sub === 'train') return train(this, rest);
    if (sub === 'test') return test(this, rest);
    if (sub === 'predict') return predict(this, rest);
    return this.usageError(`unknown subcommand "${sub}": use train, test or predict`);
  },
};
