// The worked examples of docs/{en,zh}/transforms.md run as tests: every JSON block after a
// `<!-- transform-example -->` marker holds a transform, sample messages and the results they
// must give (for each output, the fields it names). Both languages hold the same examples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseTransform, type Transform } from '../../src/metadata/transform.js';
import { recordOf, type SampleMessage, tryTransform } from '../../src/core/transform/trial.js';

interface Example {
  transform: Record<string, unknown>;
  messages: (Partial<SampleMessage> & { topic: string; payload: string })[];
  results: { outcome: string; output?: Record<string, unknown>[]; error?: string }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function examples(lang: 'en' | 'zh'): Example[] {
  const text = readFileSync(join(root, 'docs', lang, 'transforms.md'), 'utf8');
  return [...text.matchAll(/<!-- transform-example -->\s*```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as Example);
}

describe('docs/transforms.md worked examples', () => {
  const en = examples('en');

  test('there are at least ten, the same in both languages', () => {
    assert.ok(en.length >= 10, `${en.length} examples`);
    assert.deepEqual(examples('zh'), en);
  });

  en.forEach((ex, n) => {
    test(`example ${n + 1}: ${JSON.stringify(ex.transform).slice(0, 80)}`, async () => {
      const t = parseTransform(ex.transform);
      assert.deepEqual(t.errors, []);
      const got = await tryTransform(t.value as Transform, ex.messages.map((m, i) => recordOf(m, i, 1_767_225_600_000)));
      assert.equal(got.length, ex.results.length);
      ex.results.forEach((want, i) => {
        const r = got[i];
        assert.ok(r);
        assert.equal(r.outcome, want.outcome, `message ${i + 1}: ${JSON.stringify(r)}`);
        if (want.error !== undefined) assert.equal(r.error, want.error);
        if (want.output) {
          assert.equal(r.output.length, want.output.length, `message ${i + 1}: outputs`);
          want.output.forEach((o, k) => {
            const picked = Object.fromEntries(Object.keys(o).map((key) => [key, (r.output[k] as unknown as Record<string, unknown>)[key]]));
            assert.deepEqual(picked, o, `message ${i + 1}, output ${k + 1}`);
          });
        }
      });
    });
  });
});
