/**
 * A small registry of fake operators for the graph tests, so that they do not
 * depend on the real ops. They do real (small) work on the bundled data: `read`
 * tokenizes files into a replayable TokenStream, `count` builds a Vocab, `pairs`
 * counts co-occurrences, `embed` makes random vectors (returning an Observable),
 * `score` reads a word-pair file. `boom` fails, `gate` lets tests observe
 * concurrency.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Observable } from 'rxjs';
import { DOC_END, Dictionary, Embeddings, Rng, Vocab, WordloomError, type Cooccurrences, type TokenChunk } from '@wordloom/core';
import { expandGlob } from '@wordloom/ops';
import { defineOp, type OperatorDef, type TokenStream, type OpContext } from '@wordloom/ops';

export function repoPath(rel: string): string {
  return fileURLToPath(new URL('../../../../' + rel, import.meta.url));
}

export function dataPath(rel: string): string {
  return repoPath('data/' + rel);
}

/** Counters the tests look at. */
export interface Probe {
  /** Chunks produced by `read` streams (all passes). */
  produced: number;
  /** For each chunk a consumer received: produced - consumed at that moment. */
  lead: number[];
  /** Node ids in the order their op started / ended. */
  started: string[];
  ended: string[];
  /** tmpDir seen by each node. */
  tmpDirs: Map<string, string>;
  ctx: Map<string, OpContext>;
}

export function newProbe(): Probe {
  return { produced: 0, lead: [], started: [], ended: [], tmpDirs: new Map(), ctx: new Map() };
}

class FileTokenStream implements TokenStream {
  readonly dictionary = new Dictionary();
  readonly stats = { tokens: 0, documents: 0, bytes: 0, complete: false };
  private passes = 0;
  constructor(
    readonly sources: readonly string[],
    private readonly lowercase: boolean,
    private readonly chunkLines: number,
    private readonly failAt: number,
    private readonly ctx: OpContext,
    private readonly probe: Probe,
  ) {}

  async *chunks(signal?: AbortSignal): AsyncIterable<TokenChunk> {
    const first = this.passes++ === 0;
    const total = this.sources.reduce((s, f) => s + readFileSync(f).length, 0);
    let bytesDone = 0;
    for (const file of this.sources) {
      const lines = readFileSync(file, 'utf8').split('\n');
      for (let i = 0; i < lines.length; i += this.chunkLines) {
        if (signal?.aborted) throw signal.reason;
        if (this.failAt > 0 && i / this.chunkLines + 1 === this.failAt) {
          throw new WordloomError('E_INPUT', 'invalid UTF-8', { file, line: i + 1 }, 'fix the file');
        }
        // Yield to the event loop so that the consumer really pulls.
        await new Promise((r) => setImmediate(r));
        const ids: number[] = [];
        let tokens = 0;
        let bytes = 0;
        for (let k = i; k < Math.min(lines.length, i + this.chunkLines); k++) {
          const line = lines[k]!;
          bytes += Buffer.byteLength(line) + (k < lines.length - 1 ? 1 : 0);
          const words = (this.lowercase ? line.toLowerCase() : line).split(/[ \t]+/).filter((w) => w !== '');
          if (!words.length) continue;
          for (const w of words) ids.push(this.dictionary.intern(w));
          ids.push(DOC_END);
          tokens += words.length;
          if (first) this.stats.documents++;
        }
        bytesDone += bytes;
        if (first) {
          this.stats.tokens += tokens;
          this.stats.bytes += bytes;
          this.ctx.progress({ phase: 'reading', done: bytesDone, total, unit: 'bytes' });
        }
        this.probe.produced++;
        yield { ids: Int32Array.from(ids), tokens, bytes };
      }
    }
    if (first) this.stats.complete = true;
  }

  observable(): Observable<TokenChunk> {
    return new Observable<TokenChunk>((sub) => {
      let stop = false;
      void (async () => {
        try {
          for await (const c of this.chunks()) {
            if (stop) return;
            sub.next(c);
          }
          sub.complete();
        } catch (e) {
          sub.error(e);
        }
      })();
      return () => {
        stop = true;
      };
    });
  }
}

export function fakeOps(probe: Probe = newProbe(), hooks: { gate?: (name: string, ctx: OpContext) => Promise<void> } = {}): OperatorDef[] {
  const track = async <T>(ctx: OpContext, f: () => Promise<T>): Promise<T> => {
    probe.started.push(ctx.node);
    probe.tmpDirs.set(ctx.node, ctx.tmpDir);
    probe.ctx.set(ctx.node, ctx);
    const v = await f();
    probe.ended.push(ctx.node);
    return v;
  };

  const read = defineOp<{ input: string[]; lowercase: boolean; chunk_lines: number; fail_at_chunk: number }, TokenStream>({
    name: 'read',
    summary: 'split text files on spaces into a token stream',
    params: {
      input: { type: 'paths', mustExist: true, doc: 'text files or globs' },
      lowercase: { type: 'boolean', default: false, doc: 'lowercase the text' },
      chunk_lines: { type: 'int', default: 200, min: 1, doc: 'lines per chunk' },
      fail_at_chunk: { type: 'int', default: 0, min: 0, doc: 'fail when reading this chunk (0 = never)' },
    },
    inputs: {},
    output: 'tokens',
    run: (_inputs, p, ctx) =>
      track(ctx, async () => {
        const files = p.input.flatMap((f) => expandGlob(f, ctx.baseDir));
        return new FileTokenStream(files, p.lowercase, p.chunk_lines, p.fail_at_chunk, ctx, probe);
      }),
  });

  const count = defineOp<{ min_count: number; max_size?: number; order: string; slow: boolean }, Vocab>({
    name: 'count',
    summary: 'count words into a vocabulary',
    params: {
      min_count: { type: 'int', default: 1, min: 1, doc: 'least count kept' },
      max_size: { type: 'int', optional: true, min: 0, doc: 'most words kept' },
      order: { type: 'enum', values: ['frequency', 'alpha'], default: 'frequency', doc: 'ordering' },
      slow: { type: 'boolean', default: false, doc: 'record how far the producer is ahead of each chunk received' },
    },
    inputs: { tokens: { kind: 'tokens', doc: 'the corpus' } },
    output: 'vocab',
    run: (inputs, p, ctx) =>
      track(ctx, async () => {
        const stream = inputs.tokens as TokenStream;
        const counts = new Map<number, number>();
        let consumed = 0;
        for await (const chunk of stream.chunks(ctx.signal)) {
          consumed++;
          if (p.slow) {
            probe.lead.push(probe.produced - consumed);
            await new Promise((r) => setTimeout(r, 1));
          }
          for (const id of chunk.ids) if (id !== DOC_END) counts.set(id, (counts.get(id) ?? 0) + 1);
          ctx.progress({ phase: 'counting', done: consumed, unit: 'chunks' });
        }
        let entries = [...counts].filter(([, c]) => c >= p.min_count).map(([id, c]) => [stream.dictionary.words[id]!, c] as const);
        entries.sort((a, b) => (p.order === 'alpha' ? (a[0] < b[0] ? -1 : 1) : b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
        if (p.max_size !== undefined && p.max_size > 0) entries = entries.slice(0, p.max_size);
        ctx.log(`kept ${entries.length} words`);
        return new Vocab(
          entries.map((e) => e[0]),
          entries.map((e) => e[1]),
        );
      }),
  });

  const pairs = defineOp<{ window: number; symmetric: boolean; x_max: number }, Cooccurrences>({
    name: 'pairs',
    summary: 'count word pairs within a window',
    params: {
      window: { type: 'int', default: 2, min: 1, max: 100, doc: 'window size' },
      symmetric: { type: 'boolean', default: true, doc: 'count both directions' },
      x_max: { type: 'number', default: 100, min: 0, exclusiveMin: true, doc: 'weighting cutoff' },
    },
    inputs: { vocab: { kind: 'vocab', doc: 'the vocabulary' }, tokens: { kind: 'tokens', doc: 'the corpus' } },
    output: 'cooccurrences',
    run: (inputs, p, ctx) =>
      track(ctx, async () => {
        const vocab = inputs.vocab as Vocab;
        const stream = inputs.tokens as TokenStream;
        const V = vocab.size;
        const rank = new Map<number, number>();
        const dense = new Float64Array(V * V);
        for await (const chunk of stream.chunks(ctx.signal)) {
          const doc: number[] = [];
          const flush = () => {
            for (let i = 0; i < doc.length; i++) {
              for (let j = Math.max(0, i - p.window); j < i; j++) {
                const a = doc[i]!;
                const b = doc[j]!;
                dense[a * V + b] += 1 / (i - j);
                if (p.symmetric) dense[b * V + a] += 1 / (i - j);
              }
            }
            doc.length = 0;
          };
          for (const id of chunk.ids) {
            if (id === DOC_END) {
              flush();
              continue;
            }
            let r = rank.get(id);
            if (r === undefined) {
              r = vocab.id(stream.dictionary.words[id]!);
              rank.set(id, r);
            }
            if (r >= 0) doc.push(r);
          }
          flush();
        }
        let nnz = 0;
        for (let k = 0; k < dense.length; k++) if (dense[k] !== 0) nnz++;
        const row = new Int32Array(nnz);
        const col = new Int32Array(nnz);
        const val = new Float64Array(nnz);
        let n = 0;
        for (let k = 0; k < dense.length; k++) {
          if (dense[k] === 0) continue;
          row[n] = Math.floor(k / V);
          col[n] = k % V;
          val[n++] = dense[k]!;
        }
        return { vocabSize: V, size: nnz, row, col, val };
      }),
  });

  const embed = defineOp<{ dim: number; iter: number; fail_at: number }, Embeddings>({
    name: 'embed',
    summary: 'random vectors (returns an Observable)',
    params: {
      dim: { type: 'int', min: 1, doc: 'vector size' },
      iter: { type: 'int', default: 3, min: 1, doc: 'iterations' },
      fail_at: { type: 'int', default: 0, min: 0, doc: 'fail at this iteration (0 = never)' },
    },
    inputs: { cooc: { kind: 'cooccurrences', doc: 'the counts' }, vocab: { kind: 'vocab', doc: 'the vocabulary' } },
    output: 'vectors',
    run: (inputs, p, ctx) =>
      new Observable<Embeddings>((sub) => {
        probe.started.push(ctx.node);
        probe.ctx.set(ctx.node, ctx);
        const vocab = inputs.vocab as Vocab;
        const rng = new Rng(ctx.seed);
        const data = new Float32Array(vocab.size * p.dim);
        let it = 0;
        const step = () => {
          if (ctx.signal.aborted) return;
          it++;
          if (it === p.fail_at) {
            sub.error(new Error(`diverged at iteration ${it}`));
            return;
          }
          for (let i = 0; i < data.length; i++) data[i] = rng.next() - 0.5;
          ctx.progress({ phase: 'iteration', done: it, total: p.iter, unit: 'iterations', metrics: { cost: 1 / it } });
          sub.next(new Embeddings(vocab.words, p.dim, data));
          if (it >= p.iter) {
            probe.ended.push(ctx.node);
            sub.complete();
          } else timer = setTimeout(step, 1);
        };
        let timer = setTimeout(step, 1);
        return () => clearTimeout(timer);
      }),
  });

  const score = defineOp<{ pairs: string[] }, unknown>({
    name: 'score',
    summary: 'share of word pairs of a file that have vectors',
    params: { pairs: { type: 'paths', mustExist: true, doc: 'tab-separated word pairs' } },
    inputs: { vectors: { kind: 'vectors', doc: 'the vectors' } },
    output: 'evaluation',
    run: (inputs, p, ctx) =>
      track(ctx, async () => {
        const emb = inputs.vectors as Embeddings;
        const out = [];
        for (const f of p.pairs) {
          const lines = readFileSync(resolve(ctx.baseDir, f), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
          const used = lines.filter((l) => {
            const [a, b] = l.split('\t');
            return emb.id(a!.toLowerCase()) >= 0 && emb.id(b!.toLowerCase()) >= 0;
          }).length;
          out.push({ file: f, pearson: 0, spearman: 0, oovRatio: (100 * (lines.length - used)) / lines.length, pairs: lines.length, used });
        }
        return { similarity: out };
      }),
  });

  const boom = defineOp<{ message: string; after_chunks: number }, Vocab>({
    name: 'boom',
    summary: 'fails after reading some chunks',
    params: {
      message: { type: 'string', default: 'it broke', doc: 'error message' },
      after_chunks: { type: 'int', default: 1, min: 0, doc: 'chunks read before failing' },
    },
    inputs: { tokens: { kind: 'tokens', doc: 'the corpus', optional: true } },
    output: 'vocab',
    run: (inputs, p, ctx) =>
      track(ctx, async () => {
        writeFileSync(resolve(ctx.tmpDir, 'spill.bin'), Buffer.alloc(1024));
        let n = 0;
        const stream = inputs.tokens as TokenStream | undefined;
        if (stream && p.after_chunks > 0) {
          for await (const _ of stream.chunks(ctx.signal)) if (++n >= p.after_chunks) break;
        }
        throw new WordloomError('E_INPUT', p.message, { file: 'corpus.txt', line: 3 }, 'fix the corpus');
      }),
  });

  const gate = defineOp<{ name: string }, Vocab>({
    name: 'gate',
    summary: 'waits on a test hook',
    params: { name: { type: 'string', default: 'g', doc: 'name passed to the hook' } },
    inputs: { tokens: { kind: 'tokens', doc: 'the corpus', optional: true } },
    output: 'vocab',
    run: (_inputs, p, ctx) =>
      track(ctx, async () => {
        await hooks.gate?.(p.name, ctx);
        return new Vocab([p.name], [1]);
      }),
  });

  const prune = defineOp<{ keep: number }, Vocab>({
    name: 'prune',
    summary: 'keep the most frequent words of a vocabulary',
    params: { keep: { type: 'int', default: 10, min: 1, doc: 'words kept' } },
    inputs: { vocab: { kind: 'vocab', doc: 'the vocabulary' } },
    output: 'vocab',
    run: (inputs, p, ctx) =>
      track(ctx, async () => {
        const v = inputs.vocab as Vocab;
        return new Vocab(v.words.slice(0, p.keep), v.counts.slice(0, p.keep));
      }),
  });

  return [read, count, pairs, embed, score, boom, gate, prune];
}
