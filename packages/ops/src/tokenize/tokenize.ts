/**
 * tokenize: a corpus -> a replayable stream of token-id chunks.
 *
 * Default tokenization is GloVe's: tokens are separated by space, tab and newline;
 * carriage returns are ignored; each line is a document (DOC_END follows it) and no
 * context window crosses it (param `document`: or a paragraph, ended by a blank line,
 * or a whole file). Text is read in blocks with backpressure and never held
 * whole; ids are recorded as they are produced so that later consumers replay them
 * instead of reading the text again.
 */
import { stat } from 'node:fs/promises';
import { Observable } from 'rxjs';
import { DOC_END, Dictionary, FNV_OFFSET, WordloomError, fnvStep, type TokenChunk } from '@wordloom/core';
import type { OpContext } from '../op.js';
import type { TokenStream } from '../artifacts.js';
import { expandGlobs } from '../io/glob.js';
import { readLines } from './source.js';
import { IdSpool } from './spool.js';
import type { TokenizeParams } from './params.js';
import { tokenizeParams, WORDS_PATTERN } from './params.js';

export type { TokenizeParams } from './params.js';
export { tokenizeParams } from './params.js';

type Ctx = Pick<OpContext, 'progress' | 'tmpDir' | 'baseDir' | 'signal'> & Partial<Pick<OpContext, 'log'>>;

/** Fill in defaults for params given from code. */
export function tokenizeDefaults(p: Omit<Partial<TokenizeParams>, 'input'> & { input: string[] | string }): TokenizeParams {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(tokenizeParams)) if (spec.default !== undefined) out[k] = spec.default;
  Object.assign(out, p);
  out.input = typeof p.input === 'string' ? [p.input] : p.input;
  return out as unknown as TokenizeParams;
}

/** A token transformer for one block of lines: returns token strings per line via callback. */
class LineTokenizer {
  private readonly re?: RegExp;
  private readonly replace?: Map<string, string>;

  constructor(private readonly p: TokenizeParams) {
    if (p.preset !== undefined && p.pattern !== undefined) {
      throw new WordloomError('E_PARAM', `both preset "${p.preset}" and a pattern are given`, { param: 'pattern' }, 'keep one: the preset is a ready-made pattern');
    }
    if (p.preset !== undefined && p.preset !== 'words') {
      throw new WordloomError('E_PARAM', `unknown preset "${String(p.preset)}"`, { param: 'preset' }, "use preset: words, or a pattern");
    }
    const document = p.document ?? 'line';
    if (!['line', 'paragraph', 'file'].includes(document)) {
      throw new WordloomError('E_PARAM', `unknown document "${String(document)}"`, { param: 'document' }, 'use line, paragraph or file');
    }
    const pattern = p.preset === 'words' ? WORDS_PATTERN : p.pattern;
    if (pattern !== undefined) {
      try {
        this.re = new RegExp(pattern, 'gu');
      } catch (e) {
        throw new WordloomError('E_PARAM', `not a valid regular expression: ${(e as Error).message}`, { param: 'pattern' }, 'use JavaScript RegExp syntax, e.g. "\\\\p{L}+|\\\\p{N}+"');
      }
      if (this.re.test('')) throw new WordloomError('E_PARAM', 'the pattern matches the empty string', { param: 'pattern' }, 'use + rather than * so that every token has at least one character');
    }
    if (p.replace) this.replace = new Map(Object.entries(p.replace));
  }

  /** Normalise a block of text (NFKC, lowercase, carriage returns). */
  prepare(text: string): string {
    if (this.p.nfkc) text = text.normalize('NFKC');
    if (this.p.lowercase === 'unicode') text = text.toLowerCase();
    else if (this.p.lowercase === 'ascii') text = asciiLower(text);
    if (text.indexOf('\r') >= 0) text = text.replace(/\r/g, '');
    return text;
  }

  /**
   * Tokenize `text` (whole lines) into `dict`: call `token(id)` for every kept token
   * (after replacement and length limits) and `lineEnd(blank)` after every line,
   * `blank` when the line holds nothing but spaces and tabs. On the default path a
   * word already seen costs a hash and a comparison, no string allocation;
   * replacement and length limits are decided once per dictionary id.
   */
  run(text: string, dict: Dictionary, token: (id: number) => void, lineEnd: (blank: boolean) => void): void {
    if (this.re) {
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        const line = nl < 0 ? text.slice(start) : text.slice(start, nl);
        this.re.lastIndex = 0;
        for (const m of line.matchAll(this.re)) {
          const id = this.resolve(dict, dict.intern(m[0]));
          if (id >= 0) token(id);
        }
        lineEnd(BLANK.test(line));
        if (nl < 0) break;
        start = nl + 1;
      }
      return;
    }
    const n = text.length;
    let s = -1;
    let h = FNV_OFFSET;
    let blank = true;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : 10;
      if (c === 32 || c === 9 || c === 10) {
        if (s >= 0) {
          const id = this.resolve(dict, dict.internRange(text, s, i, h));
          if (id >= 0) token(id);
          s = -1;
        }
        if (c === 10) {
          lineEnd(blank);
          blank = true;
        }
      } else {
        blank = false;
        if (s < 0) {
          s = i;
          h = FNV_OFFSET;
        }
        h = fnvStep(h, c);
      }
    }
  }

  /** out[id]: the id to emit for dictionary id `id` (itself, its replacement), or -1 to drop it. */
  private out = new Int32Array(0);
  private decided = 0;

  private resolve(dict: Dictionary, id: number): number {
    if (id < this.decided) return this.out[id]!;
    while (this.decided < dict.size) {
      if (this.decided >= this.out.length) {
        const o = new Int32Array(Math.max(1024, this.out.length * 2));
        o.set(this.out);
        this.out = o;
      }
      const i = this.decided++;
      this.out[i] = this.decide(dict, dict.words[i]!, i);
    }
    return this.out[id]!;
  }

  private decide(dict: Dictionary, word: string, id: number): number {
    const { min_length: minLen, max_length: maxLen } = this.p;
    let w = word;
    let target = id;
    if (this.replace) {
      const r = this.replace.get(word);
      if (r !== undefined) {
        if (r === '') return -1;
        w = r;
        target = dict.intern(r); // may add an id: decided on a later turn of resolve's loop
      }
    }
    if (minLen > 1 || maxLen > 0) {
      const n = codePoints(w);
      if (n < minLen || (maxLen > 0 && n > maxLen)) return -1;
    }
    return target;
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    const st = await stat(file);
    return st.isFile() ? st.size : 0;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WordloomError('E_FILE', code === 'ENOENT' ? 'the corpus file does not exist' : `cannot read the corpus file (${code})`, { file }, 'check the path (relative paths resolve against the pipeline file)');
  }
}

/** A line with nothing but spaces and tabs (carriage returns are gone by then). */
const BLANK = /^[ \t]*$/;

function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

class CorpusTokenStream implements TokenStream {
  readonly dictionary = new Dictionary();
  readonly sources: string[];
  readonly stats: { tokens: number; documents: number; bytes: number; complete: boolean; seconds?: number } = { tokens: 0, documents: 0, bytes: 0, complete: false };
  private spool?: IdSpool;
  private firstPass?: Promise<void>;
  private readonly tokenizer: LineTokenizer;

  constructor(
    private readonly params: TokenizeParams,
    files: string[],
    private readonly ctx: Ctx,
  ) {
    this.sources = files;
    this.tokenizer = new LineTokenizer(params);
  }

  chunks(signal?: AbortSignal): AsyncIterable<TokenChunk> {
    return { [Symbol.asyncIterator]: () => this.iterate(signal) };
  }

  observable(): Observable<TokenChunk> {
    return new Observable<TokenChunk>((sub) => {
      const ac = new AbortController();
      (async () => {
        for await (const c of this.chunks(ac.signal)) {
          if (sub.closed) return;
          sub.next(c);
        }
        sub.complete();
      })().catch((e) => sub.error(e));
      return () => ac.abort();
    });
  }

  /** Remove the recorded ids (memory and temporary file). */
  async dispose(): Promise<void> {
    await this.spool?.dispose();
    this.spool = undefined;
    this.stats.complete = false;
  }

  private async *iterate(signal?: AbortSignal): AsyncGenerator<TokenChunk> {
    if (this.firstPass) await this.firstPass.catch(() => undefined);
    if (this.stats.complete && this.spool) {
      yield* this.spool.replay(signal);
      return;
    }
    let done!: () => void;
    let fail!: (e: unknown) => void;
    this.firstPass = new Promise<void>((res, rej) => {
      done = res;
      fail = rej;
    });
    this.firstPass.catch(() => undefined);
    await this.spool?.dispose();
    this.spool = new IdSpool(this.params.spool_mb, this.ctx.tmpDir);
    try {
      yield* this.read(signal);
      this.stats.complete = true;
      await this.spool.finish();
      done();
    } catch (e) {
      await this.spool.dispose();
      this.spool = undefined;
      fail(e);
      throw e;
    } finally {
      if (!this.stats.complete) {
        // The consumer stopped early: the recording is partial; the next pass reads again.
        await this.spool?.dispose();
        this.spool = undefined;
        done();
      }
    }
  }

  private async *read(signal?: AbortSignal): AsyncGenerator<TokenChunk> {
    const p = this.params;
    const dict = this.dictionary;
    const spool = this.spool!;
    let totalBytes = 0;
    for (const f of this.sources) if (f !== '-') totalBytes += await fileSize(f);
    let buf = new Int32Array(Math.max(1024, p.chunk_tokens + (p.chunk_tokens >> 2)));
    let len = 0;
    let tokens = 0;
    let chunkTokens = 0;
    let docs = 0;
    let lastWasEnd = true;
    let bytesBefore = 0;
    let bytesNow = 0;
    const t0 = performance.now();
    let lastReport = 0;
    const push = (v: number): void => {
      if (len === buf.length) {
        const nb = new Int32Array(buf.length * 2);
        nb.set(buf);
        buf = nb;
      }
      buf[len++] = v;
    };
    const onToken = (id: number): void => {
      push(id);
      chunkTokens++;
      lastWasEnd = false;
    };
    const ready: TokenChunk[] = [];
    const onDocEnd = (): void => {
      if (!lastWasEnd) {
        push(DOC_END);
        docs++;
        lastWasEnd = true;
        if (chunkTokens >= p.chunk_tokens) ready.push(cut());
      }
    };
    function cut(): TokenChunk {
      const chunk: TokenChunk = { ids: buf.slice(0, len), tokens: chunkTokens, bytes: bytesNow - bytesBefore };
      tokens += chunkTokens;
      bytesBefore = bytesNow;
      len = 0;
      chunkTokens = 0;
      return chunk;
    }
    const report = (force: boolean): void => {
      const now = performance.now();
      if (!force && now - lastReport < 200) return;
      lastReport = now;
      const secs = (now - t0) / 1000;
      this.ctx.progress({
        phase: 'reading',
        done: bytesNow,
        total: totalBytes || undefined,
        unit: 'bytes',
        metrics: { tokens: tokens + chunkTokens, 'tokens/s': secs > 0 ? Math.round((tokens + chunkTokens) / secs) : 0, words: dict.size },
      });
    };
    // Where a document ends: every line, a blank line, or the end of a file.
    const document = p.document ?? 'line';
    const onLineEnd = document === 'line' ? onDocEnd : document === 'paragraph' ? (blank: boolean) => blank && onDocEnd() : () => {};
    for (const file of this.sources) {
      let base = bytesNow;
      for await (const block of readLines(file, p.invalid_utf8 === 'replace', signal ?? this.ctx.signal)) {
        bytesNow = base + block.bytesRead;
        this.tokenizer.run(this.tokenizer.prepare(block.text), dict, onToken, onLineEnd);
        for (const c of ready) {
          await spool.add(c);
          yield c;
        }
        if (ready.length) report(false);
        ready.length = 0;
      }
      onDocEnd();
      base = bytesNow;
    }
    if (chunkTokens > 0) {
      const c = cut();
      await spool.add(c);
      yield c;
    }
    this.stats.tokens = tokens;
    this.stats.documents = docs;
    this.stats.bytes = bytesNow;
    this.stats.seconds = (performance.now() - t0) / 1000;
    report(true);
    if (tokens > 0) {
      const n = (x: number) => x.toLocaleString('en-US');
      this.ctx.log?.(`read ${n(tokens)} tokens, ${n(docs)} documents, ${n(dict.size)} distinct words (${(bytesNow / 1048576).toFixed(1)} MB) in ${this.stats.seconds.toFixed(1)} s`);
    }
    if (tokens === 0) {
      throw new WordloomError('E_INPUT', `the corpus has no tokens (${this.sources.join(', ')})`, { file: this.sources[0] }, 'check that the files are not empty and that min_length/max_length/pattern do not drop every token');
    }
  }
}

/**
 * Tokenize a corpus. Returns at once; reading happens as the stream is consumed.
 * Input patterns are expanded (globs) against ctx.baseDir.
 */
export function tokenize(params: TokenizeParams, ctx: Ctx): TokenStream {
  const files = expandGlobs(params.input, ctx.baseDir);
  if (files.length === 0) {
    throw new WordloomError('E_FILE', `no corpus file matches ${params.input.map((s) => JSON.stringify(s)).join(', ')}`, { param: 'input' }, 'check the paths or globs (relative to the pipeline file)');
  }
  return new CorpusTokenStream(params, files, ctx);
}
