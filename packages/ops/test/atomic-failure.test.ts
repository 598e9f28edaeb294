import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

// A write that fails part-way: a child process under a 100 KB file-size limit (ulimit -f)
// writes 2 MB through writeAtomic, in 64 KB strings (so the buffer is flushed inside
// write(), before commit) or in one piece at the end (flushed inside commit()).
const atomic = new URL('../src/io/atomic.js', import.meta.url).href;

function writeUnderLimit(file: string, how: 'chunks' | 'commit'): { code: number | null; out: string; err: string } {
  const script = `
    const { writeAtomic } = await import(${JSON.stringify(atomic)});
    try {
      await writeAtomic(${JSON.stringify(file)}, async (w) => {
        const piece = 'x'.repeat(${how === 'chunks' ? 65536 : 1000}) + '\\n';
        for (let i = 0; i < ${how === 'chunks' ? 32 : 90}; i++) await w.write(piece);
      });
      console.log('written');
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, file: e.where?.file }));
    }`;
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -f 100 && exec "$0" "$@"', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

for (const how of ['chunks', 'commit'] as const) {
  test(`atomic write: a write that fails (file too large, ${how === 'chunks' ? 'while writing' : 'at commit'}) names the file, leaves no temporary and keeps the old file`, () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'out.txt');
      writeFileSync(file, 'the old content\n');
      const r = writeUnderLimit(file, how);
      assert.is(r.code, 0, r.err);
      const e = JSON.parse(r.out.trim());
      assert.is(e.code, 'E_FILE', r.out);
      assert.is(e.file, file);
      assert.match(e.message, /could not finish writing: EFBIG/);
      assert.is(readFileSync(file, 'utf8'), 'the old content\n');
      assert.equal(readdirSync(t.dir), ['out.txt'], 'no temporary file left');
    } finally {
      t.cleanup();
    }
  });
}

test.run();
