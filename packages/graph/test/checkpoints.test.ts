import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Embeddings } from '@wordloom/core';
import { defineOp } from '@wordloom/ops';
import { pipeline, runPipeline } from '../src/index.js';
import { scratch } from './util.js';

/** A training op that finds (or not) a checkpoint in ctx.checkpointDir, writes one, and fails when told to (as a killed run would stop). */
function trainer(state: { failNext: boolean; found: (string | undefined)[]; dirs: (string | undefined)[] }) {
  return defineOp<{ dim: number; every: number }, Embeddings>({
    name: 'trainer', summary: 'writes checkpoints',
    params: { dim: { type: 'int', doc: 'dimension', default: 2 }, every: { type: 'int', doc: 'checkpoint every', default: 1, inert: true } },
    inputs: {}, output: 'vectors',
    run: async (_i, p, ctx) => {
      state.dirs.push(ctx.checkpointDir);
      const file = ctx.checkpointDir ? join(ctx.checkpointDir, 'trainer.ckpt') : undefined;
      state.found.push(file && existsSync(file) ? file : undefined);
      if (file) {
        mkdirSync(ctx.checkpointDir!, { recursive: true });
        writeFileSync(file, 'state');
      }
      if (state.failNext) {
        state.failNext = false;
        throw new Error('stopped mid-training');
      }
      return new Embeddings(['a', 'b'], p.dim, new Float32Array(2 * p.dim).fill(1));
    },
  });
}

test('checkpoints: a node gets a directory under its cache key; a rerun finds what the stopped run left; storing the output removes it; --force starts afresh', async () => {
  const s = scratch();
  try {
    const cache = join(s.dir, 'cache');
    const state = { failNext: true, found: [] as (string | undefined)[], dirs: [] as (string | undefined)[] };
    const spec = pipeline('ck').node('model', 'trainer', { dim: 3 }).build();
    const run = (force?: string[]) => runPipeline(spec, { operators: [trainer(state)], cache, ...(force ? { force } : {}) }).result;
    await run().then(() => assert.unreachable('fails'), (e: Error) => assert.match(e.message, /stopped mid-training/));
    assert.ok(state.dirs[0]!.startsWith(join(cache, 'checkpoints') + '/'), state.dirs[0]);
    assert.is(state.found[0], undefined);
    // Rerun: same key, same directory, the checkpoint is there; the output stored, it goes.
    await run();
    assert.is(state.dirs[1], state.dirs[0]);
    assert.ok(state.found[1], 'the rerun found the checkpoint');
    assert.not.ok(existsSync(state.dirs[0]!), 'removed once the output is stored');
    // A stopped run, then a forced one: no resume.
    state.failNext = true;
    await run(['model']).catch(() => {});
    assert.ok(existsSync(join(state.dirs[2]!, 'trainer.ckpt')));
    await run(['model']);
    assert.is(state.found[3], undefined, '--force removes the checkpoint first');
    assert.equal(readdirSync(join(cache, 'checkpoints')), []);
    // Without a cache there is no checkpoint directory.
    await runPipeline(spec, { operators: [trainer(state)] }).result;
    assert.is(state.dirs[4], undefined);
  } finally {
    s.cleanup();
  }
});

test('an inert param (how often checkpoints are written) is not part of the cache key; others are', async () => {
  const s = scratch();
  try {
    const cache = join(s.dir, 'cache');
    const state = { failNext: false, found: [] as (string | undefined)[], dirs: [] as (string | undefined)[] };
    const run = (params: Record<string, unknown>) => {
      const events: { node: string; cache?: string }[] = [];
      const spec = pipeline('inert').node('model', 'trainer', params).build();
      return runPipeline(spec, { operators: [trainer(state)], cache, onEvent: (e) => e.type === 'node:finished' && events.push(e) }).result.then(() => events[0]!.cache);
    };
    assert.is(await run({ dim: 3, every: 1 }), 'computed');
    assert.is(await run({ dim: 3, every: 5 }), 'loaded');
    assert.is(await run({ dim: 4, every: 5 }), 'computed');
    assert.is(state.dirs.length, 2);
  } finally {
    s.cleanup();
  }
});

test.run();
