// docs/*/transforms-etl.md stays true: its worked example and the examples of its decoder and
// operation tables run here, and both languages name every decoder, operation and encoder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { compileEtlRule, DECODE_TYPES, ENCODE_TYPES } from '../../src/transform/etl/index.js';
import { decodeToObjects, etlRule, run } from './etl-helpers.js';

const page = (lang: 'en' | 'zh') => readFileSync(new URL(`../../docs/${lang}/transforms-etl.md`, import.meta.url), 'utf8');

/** The rows of the table under `heading`, as lists of their code spans. */
function tableRows(text: string, heading: string): string[][] {
  const start = text.indexOf(`## ${heading}`);
  assert.ok(start >= 0, `no section ${heading}`);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| ---')) + 1;
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    rows.push([...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''));
  }
  return rows;
}

const unescape = (s: string) => s.replace(/\\n/g, '\n');

describe('docs/*/transforms-etl.md', () => {
  for (const lang of ['en', 'zh'] as const) {
    test(`${lang}: the worked example compiles and splits the readings into one message each`, () => {
      const json = /```json\n([\s\S]*?)```/.exec(page(lang))?.[1];
      assert.ok(json);
      const payload = JSON.stringify([{ meta: { device: 'd1' }, readings: [{ value: 36.5 }] }, { meta: { device: 'd2' }, readings: [{ value: 20 }] }]);
      const out = compileEtlRule(JSON.parse(json)).apply(Buffer.from(payload), Date.UTC(2026, 2, 3)).map(String);
      assert.deepEqual(out, [
        '{"device_id":"d1","temp":36.5,"temp_f":97.7,"processed_at":"2026-03-03T00:00:00.000Z"}',
        '{"device_id":"d2","temp":20,"temp_f":68,"processed_at":"2026-03-03T00:00:00.000Z"}',
      ]);
    });

    test(`${lang}: every decoder row's example decodes as shown`, () => {
      const rows = tableRows(page(lang), lang === 'en' ? 'Decoders' : '解码器');
      assert.deepEqual(rows.map((r) => r[0]), [...DECODE_TYPES]);
      for (const [type = '', ...spans] of rows) {
        const examples = spans.filter((s) => !/^(line_separator|token_separator|kv_separator|message|bytes|=|col_\d|col_0|col_1)$/.test(s));
        const [input = '', ...outputs] = examples;
        assert.deepEqual(decodeToObjects(type, unescape(input)), outputs.map((o) => JSON.parse(o) as unknown), `${lang} ${type}`);
      }
    });

    test(`${lang}: every operation row with an input and output runs as shown`, () => {
      const rows = tableRows(page(lang), lang === 'en' ? 'Operations' : '操作');
      assert.deepEqual(rows.map((r) => r[0]), ['Extract', 'Rename', 'KeepOnly', 'Set', 'Delete']);
      let ran = 0;
      for (const [, op = '', input, output] of rows) {
        if (input === undefined || output === undefined) continue;
        assert.deepEqual(run(etlRule('JsonObject', [JSON.parse(op)], 'JsonObject'), input), [output], `${lang} ${op}`);
        ran++;
      }
      assert.equal(ran, 4);
    });

    test(`${lang}: the encoder table lists every encoder`, () => {
      assert.deepEqual(tableRows(page(lang), lang === 'en' ? 'Encoders' : '编码器').map((r) => r[0]), [...ENCODE_TYPES]);
    });
  }
});
