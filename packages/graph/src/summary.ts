/**
 * One-line summaries of node outputs for events and reports, by artifact kind.
 * Values are inspected by shape (duck typing), so any object of the right form
 * is summarised; anything else gets a generic description.
 */
import type { ArtifactKind } from '@wordloom/ops';
import type { OutputSummary } from './events.js';

const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toPrecision(4));
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const base = (f: string): string => f.replace(/^.*[\\/]/, '');

type Any = Record<string, any>;

export function summarize(kind: ArtifactKind | undefined, value: unknown): OutputSummary {
  const v = value as Any;
  const k = kind ?? 'unknown';
  if (v === null || v === undefined) return { kind: k, text: 'no output', stats: {} };
  try {
    switch (kind) {
      case 'tokens': {
        const s = v.stats as Any | undefined;
        const dict = v.dictionary?.size;
        if (s && s.complete) {
          return {
            kind,
            text: `${fmt(s.tokens)} tokens, ${fmt(s.documents)} documents, ${fmt(dict ?? 0)} distinct words${typeof s.seconds === 'number' ? `, read in ${s.seconds.toFixed(1)} s as the next nodes consumed them` : ''}`,
            stats: { tokens: s.tokens, documents: s.documents, bytes: s.bytes, words: dict ?? 0, complete: true, ...(typeof s.seconds === 'number' ? { seconds: s.seconds } : {}) },
          };
        }
        const partial = s && s.tokens > 0 ? `${fmt(s.tokens)} tokens read so far` : 'read as the next nodes consume it';
        return { kind, text: `token stream (${partial})`, stats: { ...(s ?? {}), complete: false } };
      }
      case 'vocab': {
        const size = typeof v.size === 'number' ? v.size : v.words?.length;
        if (typeof size === 'number') return { kind, text: `${fmt(size)} words`, stats: { words: size } };
        break;
      }
      case 'cooccurrences': {
        if (typeof v.size === 'number') {
          return {
            kind,
            text: `${fmt(v.size)} records over ${fmt(v.vocabSize ?? 0)} words`,
            stats: { records: v.size, vocabSize: v.vocabSize ?? 0 },
          };
        }
        break;
      }
      case 'vectors': {
        const size = typeof v.size === 'number' ? v.size : v.words?.length;
        if (typeof size === 'number' && typeof v.dim === 'number') {
          return { kind, text: `${fmt(size)} x ${v.dim} vectors`, stats: { words: size, dim: v.dim } };
        }
        break;
      }
      case 'neighbors': {
        if (Array.isArray(v.queries)) {
          const missing = v.queries.filter((q: Any) => q.missing).length;
          return {
            kind,
            text: `${v.queries.length} queries${missing ? ` (${missing} not in vocabulary)` : ''} on ${v.backend}`,
            stats: { queries: v.queries.length, missing, backend: String(v.backend) },
          };
        }
        break;
      }
      case 'graph': {
        if (typeof v.n === 'number' && v.targets) {
          const edges = v.directed ? v.targets.length : v.targets.length / 2;
          return { kind, text: `${fmt(v.n)} nodes, ${fmt(edges)} ${v.directed ? 'directed' : 'undirected'} edges`, stats: { nodes: v.n, edges, directed: !!v.directed } };
        }
        break;
      }
      case 'clusters': {
        if (v.labels && typeof v.count === 'number') {
          // A report page of the run with no clustering of its own.
          if (v.count === 0 && v.labels.length === 0 && v.report) return { kind, text: `page -> ${base(String(v.report))}`, stats: { clusters: 0, report: String(v.report) } };
          const sizes = Array.from(v.sizes as ArrayLike<number>);
          const singletons = sizes.filter((x) => x === 1).length;
          const largest = sizes.reduce((m, x) => Math.max(m, x), 0);
          const text = `${fmt(v.count)} clusters of ${fmt(v.labels.length)} (largest ${fmt(largest)}, ${fmt(singletons)} singletons, ${fmt(v.noise)} noise)${v.report ? ` -> ${base(String(v.report))}` : ''}`;
          return { kind, text, stats: { clusters: v.count, nodes: v.labels.length, noise: v.noise, singletons } };
        }
        break;
      }
      case 'classifier': {
        if (v.model && v.train) {
          const t = v.test as Any;
          const text = `${fmt(v.model.labels.length)} labels, ${fmt(v.model.words.length)} words, ${fmt(Math.round(v.train.sentencesPerSecond))} sentences/s${t ? `; test P@${t.k} ${Number(t.precision).toFixed(4)} R@${t.k} ${Number(t.recall).toFixed(4)}` : ''}`;
          const stats: Record<string, number | string> = { labels: v.model.labels.length, words: v.model.words.length, sentencesPerSecond: v.train.sentencesPerSecond };
          if (t) stats.precision = t.precision;
          return { kind, text, stats };
        }
        break;
      }
      case 'char-classifier': {
        if (v.model && v.train) {
          const t = v.test as Any;
          const secs = (v.train.epochSeconds as number[]).reduce((a, b) => a + b, 0) / Math.max(1, v.train.epochSeconds.length);
          const text = `${fmt(v.model.config.labels.length)} labels, ${fmt(v.train.alphabet)} characters, ${fmt(v.train.examples)} texts, ${secs.toFixed(2)} s an epoch, loss ${Number(v.train.losses.at(-1)).toFixed(4)}${t ? `; test accuracy ${Number(t.accuracy).toFixed(4)}` : ''}`;
          const stats: Record<string, number | string> = { labels: v.model.config.labels.length, examples: v.train.examples, secondsPerEpoch: secs };
          if (t) stats.accuracy = t.accuracy;
          return { kind, text, stats };
        }
        break;
      }
      case 'autoencoder': {
        if (v.model && Array.isArray(v.losses)) {
          const c = v.model.config as Any;
          const err = (v.testError as number[]).at(-1);
          const text = `hidden ${c.hidden}, k ${c.k}${c.lifetime ? ', lifetime' : ''}, ${fmt(v.train)} digits, loss ${Number(v.losses.at(-1)).toFixed(5)}, ${(100 * Number(v.rowsTouched)).toFixed(1)}% rows a step${err !== undefined ? `; test error ${err.toFixed(5)}` : ''}${Number.isNaN(v.probeAccuracy) ? '' : `, probe accuracy ${Number(v.probeAccuracy).toFixed(4)}`}`;
          const stats: Record<string, number | string> = { digits: v.train, loss: v.losses.at(-1), rowsTouched: v.rowsTouched };
          if (err !== undefined) stats.testError = err;
          if (!Number.isNaN(v.probeAccuracy)) stats.probeAccuracy = v.probeAccuracy;
          return { kind, text, stats };
        }
        break;
      }
      case 'linear': {
        if (v.model && v.train) {
          const h = v.model.header as Any;
          const text = `${h.task} ${h.loss}, 2^${h.bits} weights, ${fmt(v.train.examples)} examples, progressive loss ${Number(v.train.progressiveLoss).toFixed(4)}${h.task !== 'regression' ? `, error ${Number(v.train.progressiveError).toFixed(4)}` : ''}, ${fmt(Math.round(v.train.examplesPerSecond))} examples/s`;
          return { kind, text, stats: { examples: v.train.examples, progressiveLoss: v.train.progressiveLoss, examplesPerSecond: v.train.examplesPerSecond } };
        }
        break;
      }
      case 'evaluation': {
        const parts: string[] = [];
        const stats: Record<string, number | string> = {};
        for (const a of (v.analogy ?? []) as Any[]) {
          const name = base(String(a.file)).replace(/\.[^.]*$/, '');
          parts.push(`${name} ${a.method} ${pct(a.accuracy)} (${a.correct}/${a.total})`);
          stats[`${name}.${a.method}`] = a.accuracy;
        }
        for (const s of (v.similarity ?? []) as Any[]) {
          const name = base(String(s.file)).replace(/\.[^.]*$/, '');
          parts.push(`${name} spearman ${Number(s.spearman).toFixed(4)} pearson ${Number(s.pearson).toFixed(4)}`);
          stats[`${name}.spearman`] = s.spearman;
          stats[`${name}.pearson`] = s.pearson;
        }
        if (parts.length) return { kind, text: parts.join('; '), stats };
        break;
      }
    }
  } catch {
    /* fall through to the generic summary */
  }
  const name = v?.constructor?.name && v.constructor !== Object ? v.constructor.name : typeof v;
  return { kind: k, text: `${name} output`, stats: {} };
}
