import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Embeddings, WordloomError } from '@wordloom/core';
import { readVectors } from '../src/io/vectors.js';
import { evaluateVectors, evaluateAnalogiesText, evaluateWordPairsText, evaluateOp, pearson, spearman, rankAverage } from '../src/evaluate/index.js';
import type { EvaluationResult } from '../src/artifacts.js';
import { standaloneContext } from '../src/op.js';
import { findOperator } from '../src/registry.js';
import { dataPath, repoPath, tempDir } from './helpers.js';

interface RefAnalogy {
  accuracy: number;
  correct: number;
  incorrect: number;
  oov: number;
  questions: number;
  sections: { section: string; correct: number; incorrect: number }[];
}
interface RefCase {
  restrict_vocab: number;
  case_insensitive: boolean;
  analogies: { file: string; '3CosAdd': RefAnalogy; '3CosMul': RefAnalogy };
  similarity: { file: string; pearson: number; spearman: number; oov_ratio: number }[];
}
// gensim 4.2 on the same vectors and files (scripts/gensim_reference.py).
const REF = JSON.parse(readFileSync(dataPath('fixtures/gensim-reference.json'), 'utf8')) as { gensim: string; vectors: string; cases: RefCase[] };
const vectorsP = readVectors(repoPath(REF.vectors));

function checkCase(res: EvaluationResult, c: RefCase, label: string): void {
  assert.is(res.analogy!.length, 2);
  assert.equal(res.analogy!.map((a) => a.method), ['3CosAdd', '3CosMul']);
  for (const a of res.analogy!) {
    const g = c.analogies[a.method];
    assert.is(g.sections.length, 14, `${label} ${a.method}: gensim sections`);
    assert.ok(Math.abs(a.accuracy - g.accuracy) < 1e-6, `${label} ${a.method}: accuracy ${a.accuracy} vs gensim ${g.accuracy}`);
    assert.is(a.correct, g.correct, `${label} ${a.method} correct`);
    assert.is(a.total, g.correct + g.incorrect, `${label} ${a.method} answered`);
    assert.is(a.skipped, g.oov, `${label} ${a.method} skipped`);
    assert.is(a.questions, g.questions);
    assert.ok(Math.abs(a.oovRatio - (g.oov / g.questions) * 100) < 1e-9);
    assert.equal(
      a.sections.map((s) => [s.section, s.correct, s.total]),
      g.sections.map((s) => [s.section, s.correct, s.correct + s.incorrect]),
      `${label} ${a.method} sections`,
    );
  }
  assert.is(c.similarity.length, 2, `${label}: gensim word-pair files`);
  assert.is(res.similarity!.length, c.similarity.length);
  res.similarity!.forEach((s, i) => {
    const g = c.similarity[i]!;
    assert.ok(s.file.endsWith(g.file), s.file);
    assert.ok(Math.abs(s.pearson - g.pearson) < 1e-6, `${label} ${g.file} pearson ${s.pearson} vs ${g.pearson}`);
    assert.ok(Math.abs(s.spearman - g.spearman) < 1e-6, `${label} ${g.file} spearman ${s.spearman} vs ${g.spearman}`);
    assert.ok(Math.abs(s.oovRatio - g.oov_ratio) < 1e-6, `${label} ${g.file} oov ${s.oovRatio} vs ${g.oov_ratio}`);
  });
}

test(`analogies and word pairs equal gensim ${REF.gensim} (restrict_vocab, case folding, both methods)`, async () => {
  const v = await vectorsP;
  // Three settings: restrict_vocab 300000 and 1000 folding case, 300000 keeping case.
  assert.equal(REF.cases.map((c) => [c.restrict_vocab, c.case_insensitive]), [[300000, true], [1000, true], [300000, false]]);
  let checked = 0;
  for (const c of REF.cases) {
    const res = await evaluateVectors(v, {
      analogies: [repoPath(c.analogies.file)],
      similarity: c.similarity.map((s) => repoPath(s.file)),
      restrict_vocab: c.restrict_vocab,
      case_insensitive: c.case_insensitive,
      backend: 'typescript',
    });
    assert.is(res.restrictVocab, Math.min(c.restrict_vocab, v.size));
    checkCase(res, c, `restrict ${c.restrict_vocab} ci ${c.case_insensitive}`);
    assert.is(res.analogy![0]!.backend, 'typescript');
    checked++;
  }
  assert.is(checked, 3);
});

test('gpu.js kernels and worker threads give the same analogy answers', async () => {
  const v = await vectorsP;
  const c = REF.cases[0]!;
  const base = { analogies: [repoPath(c.analogies.file)], similarity: c.similarity.map((s) => repoPath(s.file)), restrict_vocab: c.restrict_vocab, case_insensitive: c.case_insensitive };
  const gpu = await evaluateVectors(v, { ...base, backend: 'gpu' });
  assert.match(gpu.analogy![0]!.backend, /^gpu\.js:/);
  checkCase(gpu, c, 'gpu');
  const text = readFileSync(repoPath(c.analogies.file), 'utf8');
  const threaded = await evaluateAnalogiesText(v, text, 'q.txt', { backend: 'typescript', threads: 2, parallelThreshold: 0 });
  assert.is(threaded[0]!.backend, 'typescript:2-threads');
  assert.equal(threaded.map((a) => [a.method, a.correct, a.total]), [
    ['3CosAdd', c.analogies['3CosAdd'].correct, c.analogies['3CosAdd'].correct + c.analogies['3CosAdd'].incorrect],
    ['3CosMul', c.analogies['3CosMul'].correct, c.analogies['3CosMul'].correct + c.analogies['3CosMul'].incorrect],
  ]);
});

/**
 * Tiny hand-made vectors. For "man woman king ?" the nearest answers are Woman,
 * Queen, queen, KING (gensim 4.2's most_similar, checked by hand): "Woman" must be
 * passed over as a case variant of an input word, and "Queen" counts as "queen".
 */
function toyVectors(): Embeddings {
  const words = ['man', 'woman', 'king', 'queen', 'Queen', 'KING', 'apple', 'pear', 'Woman'];
  const vecs = [
    [1, 0, 0, 0.1],
    [1, 1, 0, 0.1],
    [1, 0, 1, 0.1],
    [1, 1, 1, 0.1],
    [1, 1, 1.05, 0.12],
    [0.2, 0.1, 1, 0.1],
    [0, 0, 0, 1],
    [0, 0.1, 0, 1],
    [0.9, 1.1, 1.0, 0.1],
  ];
  return new Embeddings(words, 4, Float32Array.from(vecs.flat()));
}

test('gensim details: first case variant wins, a/b/c never answer, skipped and invalid lines', async () => {
  const v = toyVectors();
  const text = [
    ': royals',
    'man woman king queen', // queen is the answer
    'MAN WOMAN KING QUEEN', // same after upper-casing
    'man woman king pear', // wrong
    'man woman king', // invalid: 3 words, not counted
    'man woman king zebra', // zebra: out of vocabulary, skipped
    '',
    ': fruit',
    'apple pear apple pear', // expected is an input word: gensim counts it correct only if every candidate is an input word
  ].join('\n');
  const [add, mul] = await evaluateAnalogiesText(v, text, 'toy.txt', {});
  assert.is(add!.method, '3CosAdd');
  assert.is(add!.questions, 5);
  assert.is(add!.skipped, 1);
  assert.is(add!.total, 4);
  assert.is(add!.invalid, 1);
  assert.equal(add!.sections.map((s) => [s.section, s.correct, s.total]), [
    ['royals', 2, 3],
    ['fruit', 0, 1],
  ]);
  assert.is(add!.accuracy, 0.5);
  assert.is(mul!.correct, 2);
  // With case folding off, "Woman" is a word of its own, and the answer.
  const cs = await evaluateAnalogiesText(v, ': s\nman woman king Queen\n', 'toy.txt', { case_insensitive: false, methods: ['3CosAdd'] });
  assert.is(cs.length, 1);
  assert.is(cs[0]!.total, 1);
  assert.is(cs[0]!.correct, 0);
  // restrict_vocab 3: queen is out, so the only question is skipped: no accuracy of 0/0, an error.
  try {
    await evaluateAnalogiesText(v, ': s\nman woman king queen\n', 'toy.txt', { restrict_vocab: 3 });
    assert.unreachable('0 questions answered must be an error');
  } catch (e) {
    assert.instance(e, WordloomError);
    assert.is((e as WordloomError).where.file, 'toy.txt');
    assert.match((e as Error).message, /all 1 have a word outside the 3 words evaluated/);
  }
});

test('analogy file errors name the file and line', async () => {
  const v = toyVectors();
  try {
    await evaluateAnalogiesText(v, 'man woman king queen\n', 'bad.txt', {});
    assert.unreachable();
  } catch (e) {
    assert.instance(e, WordloomError);
    assert.is((e as WordloomError).where.file, 'bad.txt');
    assert.is((e as WordloomError).where.line, 1);
  }
  try {
    await evaluateAnalogiesText(v, ': s\n', 'x', { methods: ['3CosFoo' as any] });
    assert.unreachable();
  } catch (e) {
    assert.is((e as WordloomError).where.param, 'methods');
  }
});

test('word pairs: comments, invalid lines, OOV ratio, CRLF', () => {
  const v = toyVectors();
  const text = '# comment\r\nman\twoman\t5\r\nking\tqueen\t9\r\nKing\tQUEEN\t8.5\r\napple\tpear\t1_0\r\nman\tzebra\t3\r\nbad line\r\nman\tking\tx\r\nman\tapple\t0.5\r\n';
  const r = evaluateWordPairsText(v, text, 'p.tsv');
  // gensim 4.2 evaluate_word_pairs on the same vectors and lines.
  assert.is(r.pairs, 6);
  assert.is(r.used, 5);
  assert.ok(Math.abs(r.oovRatio - 16.666666666666664) < 1e-9);
  assert.ok(Math.abs(r.pearson - 0.9607900013234933) < 1e-6, String(r.pearson));
  assert.ok(Math.abs(r.spearman - 0.9746794344808964) < 1e-6, String(r.spearman));
  try {
    evaluateWordPairsText(v, 'zebra\tlion\t3\n', 'p.tsv');
    assert.unreachable();
  } catch (e) {
    assert.is((e as WordloomError).code, 'E_INPUT');
    assert.match((e as Error).message, /no usable word pairs/);
  }
});

test('pearson and spearman match scipy 1.10 (ties get average ranks)', () => {
  // scipy.stats.pearsonr / spearmanr on these lists.
  const x = [1, 2, 2, 3, 5, 5, 5, 8];
  const y = [0.3, 0.1, 0.4, 0.4, 0.9, 0.2, 0.7, 1.0];
  assert.ok(Math.abs(pearson(x, y) - 0.7555917035541939) < 1e-12, String(pearson(x, y)));
  assert.ok(Math.abs(spearman(x, y) - 0.66069525864647) < 1e-12, String(spearman(x, y)));
  assert.equal(Array.from(rankAverage(x)), [1, 2.5, 2.5, 4, 6, 6, 6, 8]);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
});

test('evaluate op: registered, paths relative to baseDir, metrics reported', async () => {
  assert.is(findOperator('evaluate'), evaluateOp);
  const v = await vectorsP;
  const updates: any[] = [];
  const res = (await evaluateOp.run(
    { vectors: v },
    { analogies: ['eval/questions-words.txt'], similarity: ['eval/wordsim353.tsv'], restrict_vocab: 300000, case_insensitive: true, methods: ['3CosAdd'], backend: 'auto' },
    standaloneContext({ baseDir: dataPath(''), progress: (u) => updates.push(u) }),
  )) as EvaluationResult;
  const c = REF.cases[0]!;
  assert.is(res.analogy!.length, 1);
  assert.is(res.analogy![0]!.correct, c.analogies['3CosAdd'].correct);
  assert.ok(Math.abs(res.similarity![0]!.spearman - c.similarity[0]!.spearman) < 1e-6);
  const done = updates.find((u) => u.phase === 'done');
  assert.ok(done && done.metrics['questions-words.txt 3CosAdd'] > 0);
  try {
    await evaluateOp.run({ vectors: v }, { restrict_vocab: 10, case_insensitive: true, methods: ['3CosAdd'], backend: 'auto' }, standaloneContext());
    assert.unreachable();
  } catch (e) {
    assert.is((e as WordloomError).code, 'E_PARAM');
  }
});

test('an analogy file with CRLF lines reads like gensim', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const v = toyVectors();
    const f = join(dir, 'q.txt');
    writeFileSync(f, ': royals\r\nman woman king queen\r\n');
    const r = await evaluateVectors(v, { analogies: [f], methods: ['3CosAdd'] });
    assert.equal(r.analogy![0]!.sections, [{ section: 'royals', correct: 1, total: 1, accuracy: 1 }]);
  } finally {
    cleanup();
  }
});

test.run();
