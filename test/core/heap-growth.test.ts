import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundHeapGrowth, DEFAULT_HEAP_GROWING_PERCENT } from '../../src/core/heap-growth.js';

test('the heap growth bound is applied by default', () => {
  assert.ok(DEFAULT_HEAP_GROWING_PERCENT > 0 && DEFAULT_HEAP_GROWING_PERCENT < 100);
  assert.equal(boundHeapGrowth(DEFAULT_HEAP_GROWING_PERCENT, []), true);
});

test("an operator's own --heap-growing-percent is left alone", () => {
  assert.equal(boundHeapGrowth(60, ['--heap-growing-percent=80']), false);
  assert.equal(boundHeapGrowth(60, ['--heap_growing_percent=80']), false);
  assert.equal(boundHeapGrowth(60, ['--max-old-space-size=512', '--import', 'tsx']), true);
});

test('0 turns the bound off', () => {
  assert.equal(boundHeapGrowth(0, []), false);
});
