/**
 * Ctrl-C and SIGTERM sent to a real `wordloom run` in the middle of GloVe
 * training: it stops within a second, says "stopping", exits 130 / 143 without a
 * stack trace, and leaves no temporary file or run directory behind; stale
 * temporaries of killed processes are removed by the next run that writes there.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoPath } from './helpers.js';

const bin = fileURLToPath(new URL('../src/bin.js', import.meta.url));

function pipelineIn(dir: string): string {
  const file = join(dir, 'p.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'interrupt',
      threads: 2,
      nodes: [
        { id: 'corpus', op: 'tokenize', params: { input: repoPath('data/corpora/lee_background.cor') } },
        { id: 'vocab', op: 'vocab', inputs: { tokens: 'corpus' }, params: { min_count: 3, output: 'out/vocab.txt' } },
        { id: 'cooccur', op: 'cooccur', inputs: { tokens: 'corpus', vocab: 'vocab' }, params: { window: 10 } },
        // far more iterations than the test waits for
        { id: 'glove', op: 'glove', inputs: { cooccurrences: 'cooccur', vocab: 'vocab' }, params: { vector_size: 100, max_iter: 100000, output: 'out/vectors.txt' } },
      ],
    }),
  );
  return file;
}

async function stopMidTraining(sig: 'SIGINT' | 'SIGTERM'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-interrupt-'));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  mkdirSync(join(dir, 'out'));
  try {
    // Left by processes that were killed: a half-written vocab.txt and a run directory.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, 'out', `.vocab.txt.tmp-${dead}-1700000000000`), 'half');
    mkdirSync(join(tmp, `wordloom-run-${dead}-AbCdEf`));
    const child = spawn(process.execPath, [bin, 'run', pipelineIn(dir)], { cwd: dir, env: { ...process.env, TMPDIR: tmp, CI: '1', NO_COLOR: '1', WORDLOOM_CACHE: 'off' } });
    let err = '';
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    // Wait for GloVe to be iterating.
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`glove did not start in time:\n${err}`)), 60_000);
      child.stderr.on('data', (d) => {
        err += d;
        if (/iter: 002/.test(err)) {
          clearTimeout(t);
          res();
        }
      });
    });
    const runDirs = readdirSync(tmp).filter((n) => n.startsWith(`wordloom-run-${child.pid}-`));
    assert.is(runDirs.length, 1, 'the run has its temporary directory while it runs');
    const t0 = Date.now();
    child.kill(sig);
    const r = await exited;
    const took = Date.now() - t0;
    assert.is(r.code, sig === 'SIGINT' ? 130 : 143, err);
    assert.ok(took < 3000, `took ${took} ms to stop`);
    assert.match(err, /stopping/);
    assert.not.match(err, /\n\s+at /, 'no stack trace');
    assert.not.match(err, /unexpected error/);
    assert.not.match(out, /finished/);
    // Nothing temporary is left, the stale ones are gone too; vocab.txt was finished before the signal.
    assert.equal(readdirSync(tmp), []);
    assert.equal(readdirSync(join(dir, 'out')), ['vocab.txt']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Ctrl-C mid-training stops within a second, exit 130, no temporaries left', () => stopMidTraining('SIGINT'));

test('SIGTERM mid-training stops within a second, exit 143, no temporaries left', () => stopMidTraining('SIGTERM'));

test.run();
