/** Text formatting for the CLI: numbers, durations, tables, results. */
import type { EvaluationResult, NeighborsResult } from '@wordloom/ops';

/** An integer with commas between thousands (as toLocaleString('en-US'), without loading the locale data: ~15 ms a process). */
function grouped(n: number): string {
  const s = String(Math.abs(n));
  const body = s.length > 3 && !s.includes('e') ? s.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : s;
  return n < 0 ? '-' + body : body;
}

export function fmtNumber(n: number): string {
  if (!isFinite(n)) return String(n);
  if (Number.isInteger(n)) return grouped(n);
  const a = Math.abs(n);
  if (a >= 1000) return grouped(Math.round(n));
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function fmtMetric(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) < 1 ? v.toFixed(4) : fmtNumber(v);
}

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function table(rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

export function formatNeighbors(res: NeighborsResult): string {
  const out: string[] = [];
  for (const q of res.queries) {
    if (q.missing) {
      out.push(`${q.word}: not in the vocabulary`);
      continue;
    }
    out.push(`${q.word}${q.match ? ` (as ${q.match})` : ''}${q.oov ? ' (not in the vocabulary; from subwords)' : ''}: ${q.neighbors.map((n) => `${n.word} (${n.similarity.toFixed(3)})`).join(', ')}`);
  }
  out.push(`(backend: ${res.backend})`);
  return out.join('\n');
}

export function formatEvaluation(ev: EvaluationResult): string {
  const out: string[] = [];
  for (const a of ev.analogy ?? []) {
    out.push(`analogies ${basename(a.file)}: ${a.method} ${(a.accuracy * 100).toFixed(2)}% (${a.correct}/${a.total}; ${a.skipped} skipped, out of vocabulary${a.invalid ? `; ${a.invalid} invalid lines skipped` : ''})`);
  }
  for (const s of ev.similarity ?? []) {
    out.push(`similarity ${basename(s.file)}: Spearman ${s.spearman.toFixed(4)}, Pearson ${s.pearson.toFixed(4)} (${s.used}/${s.pairs} pairs, ${s.oovRatio.toFixed(1)}% out of vocabulary${s.invalid ? `; ${s.invalid} invalid lines skipped` : ''})`);
  }
  return out.join('\n');
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}
