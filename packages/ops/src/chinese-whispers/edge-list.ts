/**
 * Edge-list files: one undirected edge a line, "a b [weight]" separated by spaces
 * or tabs (weight 1 when absent); blank lines and lines starting with # are
 * skipped. Nodes are numbered in order of first appearance. An edge listed twice
 * adds its weights.
 */
import { readFile } from 'node:fs/promises';
import { WordloomError } from '@wordloom/core';
import type { GraphArtifact } from '../artifacts.js';
import { sortRows } from '../knn-graph/index.js';

export async function readEdgeList(file: string): Promise<GraphArtifact> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the edge list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 'check the path');
  }
  return parseEdgeList(text, file);
}

export function parseEdgeList(text: string, file = '<edges>'): GraphArtifact {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const id = (s: string): number => {
    let x = ids.get(s);
    if (x === undefined) {
      x = names.length;
      ids.set(s, x);
      names.push(s);
    }
    return x;
  };
  let a: number[] = [];
  let b: number[] = [];
  let w: number[] = [];
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.replace(/\r$/, '');
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const f = t.split(/[ \t]+/);
    const where = { file, line: ln + 1 };
    if (f.length < 2 || f.length > 3) throw new WordloomError('E_INPUT', `expected "a b weight", got ${f.length} field${f.length === 1 ? '' : 's'}`, where);
    const weight = f.length === 3 ? Number(f[2]) : 1;
    if (!Number.isFinite(weight)) throw new WordloomError('E_INPUT', `the weight "${f[2]}" is not a number`, where);
    if (weight <= 0) throw new WordloomError('E_INPUT', `edge ${f[0]} - ${f[1]} has weight ${weight}: edge weights must be positive`, where, 'drop the edge, or shift the weights to be positive');
    if (f[0] === f[1]) throw new WordloomError('E_INPUT', `edge ${f[0]} - ${f[1]} is a self-loop`, where, 'drop the line: a node needs no edge to itself');
    a.push(id(f[0]!));
    b.push(id(f[1]!));
    w.push(weight);
  }
  const n = names.length;
  const deg = new Int32Array(n);
  for (let i = 0; i < a.length; i++) {
    deg[a[i]!]!++;
    deg[b[i]!]!++;
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + deg[i]!;
  const targets = new Int32Array(offsets[n]!);
  const weights = new Float32Array(offsets[n]!);
  const fill = offsets.slice(0, n);
  for (let i = 0; i < a.length; i++) {
    let p = fill[a[i]!]!++;
    targets[p] = b[i]!;
    weights[p] = w[i]!;
    p = fill[b[i]!]!++;
    targets[p] = a[i]!;
    weights[p] = w[i]!;
  }
  a = b = w = [];
  sortRows(offsets, targets, weights);
  // Merge repeated edges (adjacent after sorting) by adding their weights.
  const outOff = new Int32Array(n + 1);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    const e = offsets[i + 1]!;
    for (let p = s; p < e; p++) {
      if (m > outOff[i]! && targets[m - 1] === targets[p]) weights[m - 1] += weights[p]!;
      else {
        targets[m] = targets[p]!;
        weights[m] = weights[p]!;
        m++;
      }
    }
    outOff[i + 1] = m;
  }
  return { n, offsets: outOff, targets: targets.slice(0, m), weights: weights.slice(0, m), directed: false, names, source: `edge list ${file}` };
}
