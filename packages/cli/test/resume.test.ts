import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoPath, wordloom } from './helpers.js';

const bin = fileURLToPath(new URL('../src/bin.js', import.meta.url));

/** Start `wordloom args` and SIGKILL it as soon as its stderr matches `when`; resolves with what it printed and how it ended. */
function runAndKill(args: string[], env: Record<string, string>, when: RegExp): Promise<{ err: string; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoPath(''), env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let killed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      err += d;
      if (!killed && when.test(err)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ err, signal, code }));
  });
}

test('a run killed (SIGKILL) during glove training resumes from its last checkpoint and ends with the vectors of a run never killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-resume-'));
  const cache = join(dir, 'cache');
  const env = { WORDLOOM_CACHE: cache };
  const set = ['--set', 'glove.max_iter=60', '--set', 'glove.threads=1', '--set', 'glove.resume_every=1'];
  const resumed = join(dir, 'resumed.txt');
  const whole = join(dir, 'whole.txt');
  try {
    const args = ['run', 'examples/lee-small.json', ...set, '--set', `glove.output=${resumed}`];
    const killed = await runAndKill(args, env, /resume checkpoint after iteration 3 written/);
    assert.is(killed.signal, 'SIGKILL', killed.err);
    assert.not.ok(existsSync(resumed), 'the killed run wrote no vectors');
    const left = readdirSync(join(cache, 'checkpoints'));
    assert.is(left.length, 1, 'one node left a checkpoint');
    assert.match(wordloom(['cache', 'ls'], { env }).out, /\n1 resume checkpoint of unfinished training, [\d.]+ MB/);

    const again = wordloom(args, { env });
    assert.is(again.code, 0, again.err);
    const m = /\[glove\] resuming from the checkpoint after iteration (\d+) of 60/.exec(again.err);
    assert.ok(m, again.err);
    const from = Number(m![1]);
    assert.ok(from >= 3 && from < 60, `resumed after iteration ${from}`);
    assert.not.match(again.err, /\[glove\] iter: 001,/, 'the iterations before the checkpoint are not run again');
    assert.match(again.err, new RegExp(`\\[glove\\] iter: ${String(from + 1).padStart(3, '0')}, cost`));
    assert.match(again.out, /^vocab +vocab +loaded from cache /m, 'the nodes before glove are loaded, not computed');
    assert.is(readdirSync(join(cache, 'checkpoints')).length, 0, 'the checkpoint goes once the output is stored');

    const never = wordloom(['run', 'examples/lee-small.json', ...set, '--set', `glove.output=${whole}`, '--no-cache']);
    assert.is(never.code, 0, never.err);
    assert.ok(readFileSync(resumed).equals(readFileSync(whole)), 'bit-identical vectors');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a linear run killed (SIGKILL) between passes resumes after its last pass and saves the model of a run never killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-resume-linear-'));
  const cache = join(dir, 'cache');
  const env = { WORDLOOM_CACHE: cache };
  const set = ['--set', 'spam.passes=12', '--set', 'spam.threads=1', '--set', 'spam.resume_every=1', '--set', 'spam.shuffle=true', '--set', 'spam.bits=16'];
  const resumed = join(dir, 'resumed.bin');
  const whole = join(dir, 'whole.bin');
  try {
    const args = ['run', 'examples/spam-linear.yaml', ...set, '--set', `spam.output=${resumed}`];
    const killed = await runAndKill(args, env, /resume checkpoint after pass 2 written/);
    assert.is(killed.signal, 'SIGKILL', killed.err);
    assert.not.ok(existsSync(resumed), 'the killed run wrote no model');
    assert.is(readdirSync(join(cache, 'checkpoints')).length, 1, 'the node left a checkpoint');

    const again = wordloom(args, { env });
    assert.is(again.code, 0, again.err);
    const m = /\[spam\] resuming from the checkpoint after pass (\d+) of 12/.exec(again.err);
    assert.ok(m, again.err);
    const from = Number(m![1]);
    assert.ok(from >= 2 && from < 12, `resumed after pass ${from}`);
    assert.not.match(again.err, /\[spam\] pass 1: progressive/, 'the passes before the checkpoint are not run again');
    assert.match(again.err, new RegExp(`\\[spam\\] pass ${from + 1}: loss`));
    assert.is(readdirSync(join(cache, 'checkpoints')).length, 0, 'the checkpoint goes once the output is stored');

    const never = wordloom(['run', 'examples/spam-linear.yaml', ...set, '--set', `spam.output=${whole}`, '--no-cache']);
    assert.is(never.code, 0, never.err);
    assert.ok(readFileSync(resumed).equals(readFileSync(whole)), 'a bit-identical model (weights, update state, counters, names)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
