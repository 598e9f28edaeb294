/**
 * Live progress of a pipeline run on a terminal: one status line redrawn in place
 * (when stderr is a TTY) or a line per phase and every few seconds (logs, CI).
 */
import type { PipelineEvent, NodeProgressEvent } from '@wordloom/graph';
import { fmtDuration, fmtNumber, fmtMetric } from './format.js';

export class ProgressView {
  private readonly tty: boolean;
  private status = '';
  private readonly lastPhase = new Map<string, string>();
  private lastPrint = 0;
  private readonly current = new Map<string, NodeProgressEvent>();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = !!out.isTTY && !process.env.CI;
  }

  handle(e: PipelineEvent): void {
    if (this.quiet) return;
    switch (e.type) {
      case 'pipeline:started':
        this.line(`pipeline ${e.pipeline}: ${e.nodes.length} nodes (${e.nodes.join(' -> ')})`);
        break;
      case 'node:started':
        this.line(`[${e.node}] ${e.op} started (${e.threads} thread${e.threads === 1 ? '' : 's'})`);
        break;
      case 'node:progress':
        this.progress(e);
        break;
      case 'node:log':
        this.line(`[${e.node}] ${e.message}`);
        break;
      case 'node:finished':
        this.current.delete(e.node);
        // A token stream is read later, as the nodes after it consume it: its node only opened it.
        if (e.cache === 'loaded') this.line(`[${e.node}] loaded from the cache in ${fmtDuration(e.durationMs)}: ${e.summary.text}`);
        else if (e.cache === 'cached' || e.cache === 'skipped') this.line(`[${e.node}] ${e.summary.text}`);
        else if (e.summary.kind === 'tokens' && e.summary.stats.complete === false) this.line(`[${e.node}] ready: the text is read as the next nodes consume it`);
        else this.line(`[${e.node}] done in ${fmtDuration(e.durationMs)}: ${e.summary.text}`);
        break;
      case 'node:failed':
        this.current.delete(e.node);
        this.line(`[${e.node}] FAILED after ${fmtDuration(e.durationMs)}`);
        break;
      case 'node:cancelled':
        this.current.delete(e.node);
        this.line(`[${e.node}] cancelled`);
        break;
      case 'pipeline:report':
        this.line(`report written to ${e.file}`);
        break;
      case 'pipeline:finished':
      case 'pipeline:failed':
        this.clear();
        break;
    }
  }

  private progress(e: NodeProgressEvent): void {
    // A progress message also arrives as a node:log event, printed there.
    // A finished phase leaves the status line (a stream's reading can end after its node did).
    if (e.fraction !== undefined && e.fraction >= 1) this.current.delete(e.node);
    else this.current.set(e.node, e);
    const text = describe(e);
    const phaseKey = `${e.node}/${e.phase}`;
    const now = Date.now();
    if (this.tty) {
      this.redraw([...this.current.values()].map(describe).join('  |  '));
      return;
    }
    // Plain output: print on a new phase or every 5 s; an update with a message was
    // printed as its log line.
    const newPhase = this.lastPhase.get(e.node) !== phaseKey;
    if (e.message !== undefined) {
      this.lastPhase.set(e.node, phaseKey);
      return;
    }
    if (newPhase || now - this.lastPrint > 5000) {
      this.lastPhase.set(e.node, phaseKey);
      this.lastPrint = now;
      this.out.write(text + '\n');
    }
  }

  private redraw(s: string): void {
    const width = (this.out.columns || 100) - 1;
    const t = s.length > width ? s.slice(0, width - 1) + '…' : s;
    this.out.write('\r\x1b[2K' + t);
    this.status = t;
  }

  private clear(): void {
    if (this.tty && this.status) this.out.write('\r\x1b[2K');
    this.status = '';
  }

  private line(s: string): void {
    if (this.tty && this.status) {
      this.out.write('\r\x1b[2K' + s + '\n' + this.status);
    } else this.out.write(s + '\n');
  }
}

function describe(e: NodeProgressEvent): string {
  const parts = [`[${e.node}] ${e.phase}`];
  if (e.done !== undefined) {
    if (e.unit === 'bytes') parts.push(e.total ? `${(100 * e.done / e.total).toFixed(0)}%` : `${fmtNumber(e.done / 1048576)} MB`);
    else parts.push(e.total !== undefined ? `${fmtNumber(e.done)}/${fmtNumber(e.total)} ${e.unit ?? ''}`.trim() : `${fmtNumber(e.done)} ${e.unit ?? ''}`.trim());
  }
  if (e.metrics) for (const [k, v] of Object.entries(e.metrics)) parts.push(`${k} ${fmtMetric(v)}`);
  if (e.rate !== undefined && e.unit && e.unit !== 'bytes' && !(e.metrics && `${e.unit}/s` in e.metrics)) parts.push(`${fmtNumber(e.rate)} ${e.unit}/s`);
  if (e.etaMs !== undefined && isFinite(e.etaMs)) parts.push(`ETA ${fmtDuration(e.etaMs)}`);
  return parts.join(', ');
}
