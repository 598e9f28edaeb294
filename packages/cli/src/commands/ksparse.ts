import { WordloomError } from '@wordloom/core';
import { KSparseAutoencoder, KSPARSE_DEFAULTS, readDigits, runKSparse, type KSparseOpParams } from '@wordloom/ops/ksparse/index';
import { simdKernels } from '@wordloom/ops/kernels/nn-simd';
import { outputPathProblem } from '@wordloom/ops/io/atomic';
import { standaloneContext } from '@wordloom/ops/op';
import { parseArgs, type OptionSpec, printSubcommandHelp } from '../args.js';
import { fmtNumber } from '../format.js';
import type { Command, CommandThis } from './types.js';
import { interruptSignal } from '../interrupt.js';

const D = KSPARSE_DEFAULTS;
const trainOptions: OptionSpec[] = [
  { name: 'output', alias: 'o', type: 'string', valueName: 'model.bin', doc: 'write the model here (after every epoch)' },
  { name: 'holdout', type: 'number', default: 1000, doc: 'hold out the last this many digits: test error and linear probe; 0 = train on all' },
  { name: 'hidden', type: 'number', default: D.hidden, doc: 'hidden units' },
  { name: 'k', type: 'number', default: D.k, doc: 'units kept for each digit' },
  { name: 'lifetime', type: 'boolean', doc: 'also keep each unit for the digit of the batch where it is largest (every row then gets a gradient)' },
  { name: 'optimizer', type: 'string', default: D.optimizer, valueName: 'adam|sparse_adam|lazy_adam', doc: 'dense Adam, or SparseAdam/LazyAdam on the active rows' },
  { name: 'lr', type: 'number', default: D.lr, doc: 'learning rate' },
  { name: 'epoch', type: 'number', default: D.epoch, doc: 'passes over the training digits' },
  { name: 'batch', type: 'number', default: D.batch, doc: 'digits per step' },
  { name: 'probe-epochs', type: 'number', default: D.probe_epochs, doc: 'epochs of the linear probe on the codes; 0 = none' },
  { name: 'seed', type: 'number', default: 1, doc: 'seed of the initialisation, the order and the probe' },
  { name: 'quiet', alias: 'q', type: 'boolean', doc: 'no progress' },
  { name: 'json', type: 'boolean', doc: 'print the result as JSON' },
];
const testOptions: OptionSpec[] = [{ name: 'json', type: 'boolean', doc: 'print JSON' }];

async function train(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, trainOptions);
  if (a.help) return help('train', trainOptions);
  const o = a.options;
  if (a.positionals.length !== 1) return self.usageError('name one digits file (e.g. data/mnist/mnist-6k.u8.gz)');
  const params: Partial<KSparseOpParams> & { input: string } = {
    input: a.positionals[0]!, holdout: o.holdout as number, hidden: o.hidden as number, k: o.k as number, lifetime: !!o.lifetime,
    optimizer: o.optimizer as KSparseOpParams['optimizer'], lr: o.lr as number, epoch: o.epoch as number, batch: o.batch as number,
    probe_epochs: o['probe-epochs'] as number, seed: o.seed as number, output: o.output as string | undefined,
  };
  const problem = params.output === undefined ? undefined : outputPathProblem(params.output);
  if (problem) throw new WordloomError('E_FILE', problem.message, { param: 'output' }, problem.hint);
  const quiet = !!o.quiet || !!o.json;
  const ctx = standaloneContext({
    node: 'ksparse',
    signal: interruptSignal(),
    threads: 1,
    seed: o.seed as number,
    log: (m) => { if (!quiet || m.startsWith('warning:')) process.stderr.write(`${m}\n`); },
  });
  const res = await runKSparse(params, ctx);
  const summary = {
    train: res.train, test: res.test, hidden: res.model.config.hidden, k: res.model.config.k, lifetime: res.model.config.lifetime,
    losses: res.losses, testError: res.testError, probeAccuracy: Number.isNaN(res.probeAccuracy) ? null : res.probeAccuracy, rowsTouched: res.rowsTouched, seconds: res.seconds, files: res.files,
  };
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    const c = res.model.config;
    const lines = [`trained on ${fmtNumber(res.train)} digits, hidden ${c.hidden}, k ${c.k}${c.lifetime ? ', lifetime sparsity' : ''}: ${res.losses.length} epochs in ${res.seconds.toFixed(1)} s; final loss ${res.losses.at(-1)!.toFixed(5)}; ${(100 * res.rowsTouched).toFixed(1)}% of the rows touched a step`];
    if (res.test) lines.push(`test: ${fmtNumber(res.test)} digits, reconstruction error ${res.testError.at(-1)!.toFixed(5)} a pixel${Number.isNaN(res.probeAccuracy) ? '' : `, linear probe accuracy ${res.probeAccuracy.toFixed(4)}`}`);
    if (res.files.length) lines.push(`model written to ${res.files.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}

async function test(self: CommandThis, argv: string[]): Promise<number> {
  const a = parseArgs(argv, testOptions);
  if (a.help) return help('test', testOptions);
  const [modelFile, input] = a.positionals;
  if (!modelFile || !input || a.positionals.length > 2) return self.usageError('name a model and a digits file');
  const model = await KSparseAutoencoder.load(modelFile);
  model.kernels = simdKernels() ?? model.kernels;
  const digits = await readDigits(input);
  const error = model.reconstructionError(digits.images, digits.n);
  process.stdout.write(a.options.json ? JSON.stringify({ digits: digits.n, error }, null, 2) + '\n' : `N\t${digits.n}\nerror\t${error.toFixed(6)}\n`);
  return 0;
}

function help(sub: string, opts: OptionSpec[]): number {
  return printSubcommandHelp(USAGE[sub]!, opts);
}

const USAGE: Record<string, string> = {
  train: 'wordloom ksparse train <digits.u8.gz> [--output model.bin] [--holdout 1000] [--hidden 256] [--k 25] [--lifetime] [--optimizer sparse_adam] [options]',
  test: 'wordloom ksparse test <model.bin> <digits.u8.gz>   # mean squared error a pixel of the top-k reconstructions',
};

export const ksparseCommand: Command = {
  interruptible: true,
  name: 'ksparse',
  usage: 'wordloom ksparse train|test ...',
  summary: 'Train a k-sparse autoencoder on digits (Adam, SparseAdam or LazyAdam on the active rows), test its reconstruction error.',
  options: [],
  details: Object.values(USAGE).join('\n') + "\n\nThe digits file holds records of a label byte and 784 pixel bytes (data/mnist/mnist-6k.u8.gz: 6,000 MNIST digits).\nwordloom ksparse <train|test> --help lists each one's options.",
  async main(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '-h' || sub === '--help') return this.help();
    if (sub === 'train') return train(this, rest);
    if (sub === 'test') return test(this, rest);
    return this.usageError(`unknown subcommand "${sub}": use train or test`);
  },
};
