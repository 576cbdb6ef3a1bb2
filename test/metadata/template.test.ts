// The one template engine: every variable, negative levels, the missing-value rule and its
// fallback, and validation that names the unknown variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate, parseTemplate, renderTemplate, TemplateScope, templateError, variableValue, type TemplateRecord } from '../../src/metadata/template.js';

const record: TemplateRecord = {
  topic: 'site/hall-a/dev-7/temp',
  payload: Buffer.from('{"t":21.5,"meta":{"unit":"C","tags":["a","b"]},"none":null}'),
  qos: 1,
  timestamp: 1_790_000_000_123,
  id: 'r-42',
  properties: { userProperties: { site: 'paris', multi: ['x', 'y'] } },
};
const r = (source: string, rec: TemplateRecord = record) => renderTemplate(compileTemplate(source), rec);

test('every variable renders', () => {
  assert.deepEqual(r('${topic}'), { text: 'site/hall-a/dev-7/temp' });
  assert.deepEqual(r('${topic[0]}/${topic[2]}/${topic[-1]}/${topic[-4]}'), { text: 'site/dev-7/temp/site' });
  assert.deepEqual(r('${payload}'), { text: record.payload.toString('utf8') });
  assert.deepEqual(r('${payload.t} ${payload.meta.unit} ${payload.meta.tags} ${payload.meta.tags.1}'), { text: '21.5 C ["a","b"] b' });
  assert.deepEqual(r('${timestamp}|${id}|${qos}'), { text: '1790000000123|r-42|1' });
  assert.deepEqual(r('${user_properties.site} ${user_properties.multi}'), { text: 'paris x,y' });
  assert.deepEqual(r('${ topic } and $topic {topic} $'), { text: 'site/hall-a/dev-7/temp and $topic {topic} $' });
  // replacement patterns in values stay literal
  assert.deepEqual(r('k:${topic}', { ...record, topic: "a/$&/$1/$'" }), { text: "k:a/$&/$1/$'" });
});

test('a missing value fails the render and names the variable; a fallback replaces it', () => {
  assert.deepEqual(r('x/${topic[4]}'), { error: 'template x/${topic[4]}: ${topic[4]} has no value for the message on "site/hall-a/dev-7/temp" (the topic has 4 levels, counted from 0)' });
  assert.ok('error' in r('${topic[-5]}'));
  assert.match((r('${payload.nope}') as { error: string }).error, /\$\{payload\.nope\} has no value .*the JSON payload has no nope/);
  assert.match((r('${payload.none}') as { error: string }).error, /\$\{payload\.none\} has no value/);
  assert.match((r('${payload.t}', { ...record, payload: Buffer.from('plain') }) as { error: string }).error, /the payload is not JSON/);
  assert.match((r('${payload}', { ...record, payload: Buffer.from([0xff, 0xfe]) }) as { error: string }).error, /the payload is not UTF-8 text/);
  assert.match((r('${user_properties.nope}') as { error: string }).error, /no user property nope/);
  assert.match((r('${id}', { ...record, id: undefined }) as { error: string }).error, /\$\{id\} has no value .*not set/);
  assert.deepEqual(r('${topic[9]:-none}/${topic[9]:-}|${payload.nope:-0}'), { text: 'none/|0' });
});

test('validation names the unknown variable; an unclosed ${ is refused', () => {
  assert.match(templateError('a/${topik}') ?? '', /^unknown variable \$\{topik\}; known: \$\{topic\}, \$\{topic\[N\]\}/);
  assert.match(templateError('${topic[x]}') ?? '', /unknown variable \$\{topic\[x\]\}/);
  assert.match(templateError('${payload.}') ?? '', /unknown variable \$\{payload\.\}/);
  assert.match(templateError('${env:HOME}') ?? '', /unknown variable \$\{env:HOME\}/);
  assert.equal(templateError('a/${topic'), 'has an unclosed ${');
  assert.equal(templateError('${topic[-1]}/${user_properties.k}/${qos}'), undefined);
  assert.throws(() => compileTemplate('${nope}'), /unknown variable \$\{nope\}/);
  assert.deepEqual(parseTemplate('$aws/${topic[1]}'), { template: { source: '$aws/${topic[1]}', parts: [{ kind: 'text', text: '$aws/' }, { kind: 'variable', variable: { kind: 'level', index: 1 }, source: '${topic[1]}' }] } });
});

test('values for binding keep their type: the payload bytes, JSON numbers, the qos', () => {
  const scope = new TemplateScope(record);
  assert.equal(variableValue({ kind: 'payload' }, scope), record.payload);
  assert.equal(variableValue({ kind: 'payload_field', path: ['t'] }, scope), 21.5);
  assert.equal(variableValue({ kind: 'qos' }, scope), 1);
  assert.equal(variableValue({ kind: 'level', index: 9 }, scope), undefined);
});
