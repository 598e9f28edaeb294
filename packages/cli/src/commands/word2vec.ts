/**
 * `wordloom skipgram` and `wordloom cbow`: train word vectors from text files as
 * `fasttext skipgram -input data.txt -output model` does, without a pipeline file.
 * The flags are fastText's (-dim, -ws, -epoch, -neg, -loss, -minn, -maxn, -bucket,
 * -t, -lr, -minCount as --min-count, -thread as --threads); one dash or two both
 * work. The text is split on whitespace, one document per line, as fastText reads
 * it; `--preset word2vec` trains without subwords with word2vec's (gensim's) defaults.
 * The same work as the tokenize -> vocab -> word2vec nodes of a pipeline.
 */
import { availableParallelism } from 'node:os';
import { WordloomError } from '@wordloom/core';
import { standaloneContext, type ProgressUpdate } from '@wordloom/ops/op';
import { tokenize, tokenizeDefaults } from '@wordloom/ops/tokenize/index';
import { buildVocab } from '@wordloom/ops/vocab/index';
import { FORMAT_SUFFIX, resolveWord2VecParams, WORD2VEC_FORMATS, type Word2VecFormat, type Word2VecParams } from '@wordloom/ops/word2vec/params';
import { checkOutput, trainWord2VecTokens } from '@wordloom/ops/word2vec/train';
import type { OptionSpec } from '../args.js';
import { parseArgs } from '../args.js';
import { fmtDuration, fmtNumber } from '../format.js';
import { interruptSignal } from '../interrupt.js';
import type { Command, CommandThis } from './types.js';

const defaultThreads = Math.max(1, Math.min(4, availableParallelism()));

function options(model: 'skipgram' | 'cbow'): OptionSpec[] {
  return [
    { name: 'input', type: 'string', repeat: true, valueName: 'file', doc: 'training text (also as positionals; .gz read as is; - for standard input): words split on whitespace, one document per line' },
    { name: 'output', alias: 'o', type: 'string', valueName: 'stem', doc: 'model name as fastText -output: writes <stem>.bin (a fastText model) and <stem>.vec' },
    { name: 'formats', type: 'string', valueName: 'list', doc: `files to write, comma-separated: ${WORD2VEC_FORMATS.join(', ')} (${WORD2VEC_FORMATS.map((f) => `${f} ${FORMAT_SUFFIX[f]}`).join(', ')}); default fasttext,word2vec-text` },
    { name: 'preset', type: 'string', default: 'fasttext', valueName: 'fasttext|word2vec', doc: "defaults of the options left out: fastText's (subwords, lr 0.05, t 1e-4) or word2vec's as gensim has them (no subwords, lr 0.025 skipgram / 0.05 cbow to 0.0001, t 1e-3, power 0.75)" },
    { name: 'dim', type: 'number', doc: 'size of the vectors (default 100)' },
    { name: 'ws', type: 'number', doc: 'largest window; each position draws its own from 1..ws (default 5)' },
    { name: 'epoch', type: 'number', doc: 'passes over the text (default 5)' },
    { name: 'min-count', alias: 'minCount', type: 'number', default: 5, doc: 'drop words seen fewer times (fastText -minCount)' },
    { name: 'neg', type: 'number', doc: 'negatives per target (default 5)' },
    { name: 'loss', type: 'string', valueName: 'ns|hs|softmax', doc: 'negative sampling, hierarchical softmax or full softmax (default ns)' },
    { name: 'lr', type: 'number', doc: 'learning rate at the start (default 0.05; word2vec preset 0.025 skipgram, 0.05 cbow)' },
    { name: 'min-lr', type: 'number', doc: 'learning rate at the end, reached linearly (default 0; word2vec preset 0.0001)' },
    { name: 't', type: 'number', doc: 'subsampling threshold (default 1e-4; word2vec preset 1e-3; 0 keeps every word)' },
    { name: 'minn', type: 'number', doc: 'shortest character n-gram (default 3; word2vec preset 0)' },
    { name: 'maxn', type: 'number', doc: 'longest character n-gram; 0 turns subwords off (default 6; word2vec preset 0)' },
    { name: 'bucket', type: 'number', doc: 'rows of hashed n-grams (default 2000000)' },
    { name: 'power', type: 'number', doc: 'power of the counts in the negative table (fastText 0.5, word2vec 0.75)' },
    { name: 'neg-target', type: 'string', valueName: 'redraw|skip', doc: 'a negative equal to the target: drawn again (fastText) or dropped (word2vec)' },
    ...(model === 'skipgram'
      ? [{ name: 'skipgram-input', type: 'string', valueName: 'center|context', doc: "whose rows a pair trains: the center word's (fastText) or the context word's (word2vec)" } as OptionSpec]
      : []),
    { name: 'lowercase', type: 'string', default: 'none', valueName: 'none|ascii|unicode', doc: 'lowercase the words first' },
    { name: 'threads', alias: 'thread', type: 'number', default: defaultThreads, doc: `worker threads updating the model without locks (default: the cores, at most 4; here ${defaultThreads})` },
    { name: 'seed', type: 'number', default: 1, doc: 'seed: one thread and a seed give the same vectors' },
    { name: 'backend', type: 'string', default: 'auto', valueName: 'auto|wasm|typescript', doc: 'training kernel: generated WebAssembly SIMD, plain TypeScript, or auto' },
    { name: 'quiet', alias: 'q', type: 'boolean', doc: 'no progress' },
    { name: 'json', type: 'boolean', doc: 'print the result as JSON' },
  ];
}

const num = (v: unknown): number | undefined => (v === undefined ? undefined : (v as number));
const str = <T extends string>(v: unknown): T | undefined => (v === undefined ? undefined : (v as T));

/** The op's params from the options (only those given: the preset fills the rest). */
function paramsOf(model: 'skipgram' | 'cbow', o: Record<string, unknown>): Partial<Word2VecParams> {
  const p: Record<string, unknown> = {
    preset: o.preset,
    model,
    dim: num(o.dim),
    ws: num(o.ws),
    epoch: num(o.epoch),
    neg: num(o.neg),
    loss: str(o.loss),
    lr: num(o.lr),
    min_lr: num(o['min-lr']),
    t: num(o.t),
    minn: num(o.minn),
    maxn: num(o.maxn),
    bucket: num(o.bucket),
    power: num(o.power),
    neg_target: str(o['neg-target']),
    skipgram_input: str(o['skipgram-input']),
    threads: num(o.threads),
    seed: num(o.seed),
    backend: str(o.backend),
    output: str(o.output),
    formats: typeof o.formats === 'string' ? (o.formats as string).split(',').map((s) => s.trim()).filter(Boolean) as Word2VecFormat[] : undefined,
  };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  return p as Partial<Word2VecParams>;
}

/** One progress line: on a terminal redrawn in place, elsewhere one every 5 s. */
function progressPrinter(quiet: boolean): { progress: (u: ProgressUpdate) => void; end: () => void } {
  const tty = !!process.stderr.isTTY && !process.env.CI;
  let last = 0;
  let drawn = false;
  return {
    progress(u) {
      if (quiet) return;
      if (u.phase === 'epoch') {
        const m = u.metrics ?? {};
        if (drawn) process.stderr.write('\r\x1b[K');
        drawn = false;
        process.stderr.write(`epoch ${u.iteration}/${u.total}: loss ${m.loss}, ${m.seconds} s${m.restored ? ' (restored from the resume checkpoint)' : ''}\n`);
        return;
      }
      if (u.phase !== 'training') return;
      const now = Date.now();
      if (now - last < (tty ? 250 : 5000)) return;
      last = now;
      const m = u.metrics ?? {};
      const pct = u.total ? (100 * (u.done ?? 0)) / u.total : 0;
      const eta = typeof m.eta_s === 'number' ? fmtDuration(m.eta_s * 1000) : '?';
      const line = `progress ${pct.toFixed(1)}%  words/s/thread ${fmtNumber(Number(m['words/s/thread']))}  lr ${m.lr}  loss ${m.loss}  ETA ${eta}`;
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        drawn = true;
      } else process.stderr.write(`${line}\n`);
    },
    end() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

async function trainCommand(self: CommandThis, model: 'skipgram' | 'cbow', argv: string[]): Promise<number> {
  const a = parseArgs(argv, options(model));
  if (a.help) return self.help();
  const o = a.options;
  const inputs = [...((o.input as string[] | undefined) ?? []), ...a.positionals];
  if (inputs.length === 0) return self.usageError('name the training text (a file, several, or - for standard input)');
  if (o.output === undefined) return self.usageError('name the model with -o / --output (fastText -output): it writes <stem>.bin and <stem>.vec');
  // every param checked, and the output's files, before any text is read
  const params = paramsOf(model, o);
  checkOutput(resolveWord2VecParams(params), standaloneContext({ node: model }));
  const minCount = o['min-count'] as number;
  if (!Number.isInteger(minCount) || minCount < 1) throw new WordloomError('E_PARAM', `--min-count must be an integer >= 1, got ${minCount}`, { param: 'min-count' }, 'fastText uses 5 for word vectors');
  const quiet = !!o.quiet || !!o.json;
  const printer = progressPrinter(quiet);
  const ctx = standaloneContext({
    node: model,
    signal: interruptSignal(),
    threads: o.threads as number,
    seed: o.seed as number,
    log: (m) => { if (!quiet || m.startsWith('warning:')) process.stderr.write(`${m}\n`); },
    progress: printer.progress,
  });
  const t0 = performance.now();
  const tokens = tokenize(tokenizeDefaults({ input: inputs, lowercase: o.lowercase as 'none' | 'ascii' | 'unicode' }), ctx);
  const vocab = await buildVocab(tokens, { min_count: minCount, max_size: 0 }, ctx);
  if (!quiet) process.stderr.write(`vocabulary: ${fmtNumber(vocab.size)} words seen at least ${minCount} time${minCount === 1 ? '' : 's'}\n`);
  let r;
  try {
    r = await trainWord2VecTokens(tokens, vocab, params, ctx);
  } finally {
    printer.end();
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary = {
    model, preset: r.params.preset, words: vocab.size, dim: r.params.dim, subwords: r.params.maxn > 0, epochs: r.losses.length, loss: r.losses.at(-1),
    wordsPerSecondPerThread: Math.round(r.wordsPerSecondPerThread), threads: Number(r.backend.split(':')[1] ?? 1), backend: r.backend.replace(/:.*/, ''),
    trainSeconds: r.seconds.reduce((s, x) => s + x, 0), seconds, files: r.files,
  };
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    const lines = [
      `${model}${summary.subwords ? ' with subwords' : ''}: ${fmtNumber(summary.words)} words, dim ${summary.dim}, ${summary.epochs} epochs in ${summary.trainSeconds.toFixed(1)} s (${fmtNumber(summary.wordsPerSecondPerThread)} words/s/thread, ${summary.threads} thread${summary.threads === 1 ? '' : 's'}, ${summary.backend}); final loss ${summary.loss?.toFixed(4)}`,
    ];
    if (r.files.length) lines.push(`written: ${r.files.join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return 0;
}

function command(model: 'skipgram' | 'cbow'): Command {
  const what = model === 'skipgram' ? 'skip-gram (each word predicts its context)' : 'CBOW (the mean of the context predicts the word)';
  return {
    interruptible: true,
    name: model,
    usage: `wordloom ${model} <text...> -o <stem> [--preset fasttext|word2vec] [--dim 100] [--epoch 5] [options]`,
    summary: `Train word vectors by ${what}, with subwords as fastText or without as word2vec; writes a fastText .bin and a .vec.`,
    options: options(model),
    details: [
      'fastText\'s flags work with one dash too: wordloom ' + model + ' -input data.txt -output model -dim 50 -epoch 5',
      'The .bin loads in the fasttext tool and in wordloom vectors / neighbors, and gives vectors to unseen words from their n-grams.',
      'The same training as a pipeline: tokenize -> vocab -> word2vec (examples/wikitext2-fasttext.yaml).',
    ].join('\n'),
    main(argv) {
      return trainCommand(this, model, argv);
    },
  };
}

export const skipgramCommand = command('skipgram');
export const cbowCommand = command('cbow');
