import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

test('wordloom linear train | test | predict | inspect on rt-polarity sentences; continue training; bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-linear-'));
  try {
    const pos = readFileSync(repoPath('data/classify/rt-polarity.pos'), 'utf8').split('\n').slice(0, 500);
    const neg = readFileSync(repoPath('data/classify/rt-polarity.neg'), 'utf8').split('\n').slice(0, 500);
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(`pos\t${pos[i]}`, `neg\t${neg[i]}`);
    const train = join(dir, 'train.tsv');
    writeFileSync(train, lines.slice(0, 800).join('\n') + '\n');
    const more = join(dir, 'more.tsv');
    writeFileSync(more, lines.slice(800).join('\n') + '\n');
    const model = join(dir, 'm.bin');
    const t = wordloom(['linear', 'train', train, '--ngram', '2', '--passes', '3', '-o', model, '--keep-names', '--labels', 'neg,pos']);
    assert.is(t.code, 0, t.err);
    assert.match(t.out, /learned from 800 examples x 3 pass\(es\)/);
    assert.match(t.out, /progressive validation: loss 0\.\d+, error 0\.\d+/);
    assert.match(t.err, /pass 3: loss/);
    const p = wordloom(['linear', 'predict', model, '--scores'], { input: `x\t${pos[0]}\nx\t${neg[0]}\n` });
    assert.is(p.code, 0, p.err);
    const out = p.out.trim().split('\n');
    assert.is(out.length, 2);
    assert.match(out[0]!, /^__label__pos [0-9.]+$/);
    assert.match(out[1]!, /^__label__neg -[0-9.]+$/);
    const e = wordloom(['linear', 'test', model, train]);
    assert.is(e.code, 0, e.err);
    assert.match(e.out, /^N\t800\nP@1\t(0\.9\d+|1\.0000)\nR@1\t(0\.9\d+|1\.0000)\naccuracy\t(0\.9\d+|1\.0000)\n$/);
    const c = wordloom(['linear', 'train', more, '--init', model, '-o', join(dir, 'm2.bin'), '--json']);
    assert.is(c.code, 0, c.err);
    assert.is(JSON.parse(c.out).examples, 200);
    const i = wordloom(['linear', 'inspect', model, '--top', '5']);
    assert.is(i.code, 0, i.err);
    assert.match(i.out, /labels neg, pos \(a positive weight pulls toward pos\)/);
    assert.is(i.out.trim().split('\n').length, 6);
    // bad input: a model of another kind, a malformed line with --strict, bits out of range
    writeFileSync(join(dir, 'x.bin'), 'WLCLSF01 something else');
    const k = wordloom(['linear', 'test', join(dir, 'x.bin'), train]);
    assert.is(k.code, 1);
    assert.match(k.err, /x\.bin: a wordloom classify model, not a linear one/);
    writeFileSync(join(dir, 'bad.tsv'), 'pos\tgood\nno tab here\n');
    const s = wordloom(['linear', 'train', join(dir, 'bad.tsv'), '--strict', '-o', join(dir, 'bad.bin')]);
    assert.is(s.code, 1);
    assert.match(s.err, /bad\.tsv:2: malformed tsv line: no tab/);
    assert.not.ok(existsSync(join(dir, 'bad.bin')));
    const b = wordloom(['linear', 'train', train, '--bits', '31']);
    assert.is(b.code, 1);
    assert.match(b.err, /bits must be an integer from 1 to 30/);
    assert.is(wordloom(['linear', 'fit']).code, 2);
    assert.match(wordloom(['linear', 'train', '--help']).out, /--quadratic/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
