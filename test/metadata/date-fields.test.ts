// The date fields of object-key templates: %Y %m %d %H of the record timestamp in UTC, `%%` for
// `%`, any other `%` sequence an error; only templates compiled with `dateFields` read them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateFieldText, parseDateFields } from '../../src/metadata/date-fields.js';
import { compileTemplate, renderTemplate, templateError, type TemplateRecord } from '../../src/metadata/template.js';
import { templateFieldErrors } from '../../src/metadata/schema-kit.js';

// 2026-03-05T07:08:09.123Z
const at = Date.UTC(2026, 2, 5, 7, 8, 9, 123);
const record: TemplateRecord = { topic: 'plant/line-4/temp', payload: Buffer.from('{"site":"b"}'), qos: 1, timestamp: at, id: 'r-1' };
const dated = { dateFields: true } as const;

test('each field, zero-padded, in UTC', () => {
  assert.deepEqual(['Y', 'm', 'd', 'H'].map((f) => dateFieldText(f as 'Y', at)), ['2026', '03', '05', '07']);
  // 23:30 on Dec 31 UTC is still that day, whatever the machine's zone
  const late = Date.UTC(2025, 11, 31, 23, 30);
  assert.deepEqual(['Y', 'm', 'd', 'H'].map((f) => dateFieldText(f as 'Y', late)), ['2025', '12', '31', '23']);
  assert.equal(dateFieldText('Y', Date.UTC(999, 0, 1)), '0999');
});

test('parse: text and fields, %% is %, an unknown field is named', () => {
  assert.deepEqual(parseDateFields('a/%Y-%m/%%d/%H'), { parts: [{ text: 'a/' }, { field: 'Y' }, { text: '-' }, { field: 'm' }, { text: '/%d/' }, { field: 'H' }] });
  assert.deepEqual(parseDateFields('plain'), { parts: [{ text: 'plain' }] });
  assert.deepEqual(parseDateFields(''), { parts: [] });
  assert.match((parseDateFields('x/%M') as { error: string }).error, /unknown date field "%M"/);
  assert.match((parseDateFields('50%') as { error: string }).error, /unknown date field "%"/);
});

test('a template with dateFields renders them beside record variables', () => {
  const t = compileTemplate('mqtt/${topic[0]}/%Y/%m/%d/%H/${payload.site}', dated);
  assert.deepEqual(renderTemplate(t, record), { text: 'mqtt/plant/2026/03/05/07/b' });
  assert.deepEqual(renderTemplate(compileTemplate('%Y%m%d', dated), record), { text: '20260305' });
  assert.deepEqual(renderTemplate(compileTemplate('100%%/${topic[1]}', dated), record), { text: '100%/line-4' });
  // a fallback's text is the fallback, not read for date fields
  assert.deepEqual(renderTemplate(compileTemplate('${topic[9]:-%Y}', dated), record), { text: '%Y' });
});

test('without the option a % stays text, as every other template has it', () => {
  assert.deepEqual(renderTemplate(compileTemplate('k/%Y/%M/${topic[0]}'), record), { text: 'k/%Y/%M/plant' });
  assert.equal(templateError('50% of %Q'), undefined);
  assert.match(templateError('50% of %Q', dated) ?? '', /unknown date field/);
  assert.deepEqual(templateFieldErrors('object_key_prefix', 'a/%q', dated).map((e) => e.path), ['object_key_prefix']);
  assert.deepEqual(templateFieldErrors('subject', 'a/%q'), []);
});
