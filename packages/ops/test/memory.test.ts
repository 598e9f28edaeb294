import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectGarbage, wasm } from '../src/kernels/index.js';

const rssMB = (): number => process.memoryUsage.rss() / 2 ** 20;

test('collectGarbage gives back a dropped shared WebAssembly memory at once, without a warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    let memory: { buffer: ArrayBufferLike } | undefined = new wasm.Memory({ initial: 3200, maximum: 3200, shared: true }); // 200 MiB
    new Uint8Array(memory.buffer).fill(1);
    const full = rssMB();
    memory = undefined;
    // nothing in V8's heap grows, so without a collection the pages stay
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(rssMB() > full - 100, 'still held before the collection');
    await collectGarbage();
    const after = rssMB();
    assert.ok(after < full - 150, `RSS ${full.toFixed(0)} MB -> ${after.toFixed(0)} MB`);
    await collectGarbage();
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => /measureMemory/.test(w)), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test.run();
