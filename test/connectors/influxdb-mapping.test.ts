// Unit tests of the influxdb sink's line protocol, record mapping, config rules and HTTP outcomes
// (the last against a local HTTP stub; the real servers are in influxdb-v1/v2.test.ts).
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import type { InfluxdbConfig } from '../../src/metadata/configs/influxdb.js';
import { parseRetryAfter } from '../../src/connectors/http-failure.js';
import { failureToSinkError, errorDetail } from '../../src/connectors/influxdb/errors.js';
import { createInfluxSink } from '../../src/connectors/influxdb/sink.js';
import { escapeKey, escapeMeasurement, formatFloat, formatLine, formatTimestamp, LineProtocolError, quoteString } from '../../src/connectors/influxdb/line-protocol.js';
import { PointMapper, type MappingOptions } from '../../src/connectors/influxdb/mapping.js';
import { v1PrecisionParam } from '../../src/connectors/influxdb/writers.js';
import { SinkError, type SinkContext, type SinkRecord } from '../../src/connectors/sink.js';
import { checkConfig, sinkConfig } from '../../src/metadata/config-validation.js';
import { influxdbType } from '../../src/metadata/configs/influxdb.js';

const T = 1_795_000_000_123; // 2026-11-18, ms
const rec = (payload: string | Buffer, over: Partial<SinkRecord> = {}): SinkRecord => ({
  id: 'e-7', offset: 7, topic: 'site/hall-a/dev-7/reading', payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: false, timestamp: T, ...over,
});
const mapper = (over: Partial<MappingOptions> = {}) => new PointMapper({ measurement: 'reading', precision: 'ms', tags: {}, tag_fields: [], ...over });
const permanent = (re: RegExp) => (e: unknown) => e instanceof SinkError && e.kind === 'permanent' && re.test(e.message);

describe('line protocol escaping', () => {
  test('tag keys, tag values and field keys: comma, equals, space escaped; backslash literal', () => {
    assert.equal(escapeKey('plain', 'k'), 'plain');
    assert.equal(escapeKey('a,b=c d', 'k'), 'a\\,b\\=c\\ d');
    assert.equal(escapeKey('C:\\temp\\x', 'k'), 'C:\\temp\\x');
    assert.equal(escapeKey('a\\\\b', 'k'), 'a\\\\b');
    assert.equal(escapeKey('x\\,y', 'k'), 'x\\\\,y'); // literal backslash, then an escaped comma
    assert.equal(escapeKey('\\lead', 'k'), '\\lead');
    assert.equal(escapeKey('"quoted"', 'k'), '"quoted"');
    assert.equal(escapeKey('tab\there', 'k'), 'tab\there');
    assert.equal(escapeKey('température ☃', 'k'), 'température\\ ☃');
  });

  test('a newline or carriage return becomes the two characters \\n / \\r', () => {
    assert.equal(escapeKey('line1\nline2\r', 'k'), 'line1\\nline2\\r');
    assert.equal(escapeMeasurement('m\nx'), 'm\\nx');
  });

  test('a trailing backslash cannot be carried: refused, naming the part', () => {
    assert.throws(() => escapeKey('dev\\', 'value of tag "device"'), (e: unknown) => e instanceof LineProtocolError && /value of tag "device" "dev\\\\" ends in a backslash/.test(e.message));
    assert.throws(() => escapeMeasurement('m\\'), LineProtocolError);
  });

  test('measurement: comma and space escaped, equals sign literal', () => {
    assert.equal(escapeMeasurement('my meas,x=y'), 'my\\ meas\\,x=y');
  });

  test('string field values: double quote and backslash escaped, newline kept', () => {
    assert.equal(quoteString('say "hi"'), '"say \\"hi\\""');
    assert.equal(quoteString('C:\\dir\\'), '"C:\\\\dir\\\\"');
    assert.equal(quoteString('a,b c=d'), '"a,b c=d"');
    assert.equal(quoteString('two\nlines'), '"two\nlines"');
    assert.equal(quoteString(''), '""');
  });

  test('floats: shortest form; NaN and ±Infinity have none', () => {
    assert.equal(formatFloat(21.5), '21.5');
    assert.equal(formatFloat(3), '3');
    assert.equal(formatFloat(-0), '0');
    assert.equal(formatFloat(1e21), '1e+21');
    assert.equal(formatFloat(1e-7), '1e-7');
    assert.equal(formatFloat(Number.NaN), undefined);
    assert.equal(formatFloat(Number.POSITIVE_INFINITY), undefined);
    assert.equal(formatFloat(Number.NEGATIVE_INFINITY), undefined);
  });

  test('timestamps: ms converted to the precision; the sub-ms digits hold the offset', () => {
    assert.equal(formatTimestamp(T, 7, 's'), '1795000000');
    assert.equal(formatTimestamp(T, 7, 'ms'), '1795000000123');
    assert.equal(formatTimestamp(T, 7, 'us'), '1795000000123007');
    assert.equal(formatTimestamp(T, 12_345, 'us'), '1795000000123345');
    assert.equal(formatTimestamp(T, 7, 'ns'), '1795000000123000007');
    assert.equal(formatTimestamp(T, 1_234_567_890, 'ns'), '1795000000123567890');
    // never 1970: the value read back as ms is the record's time, at every precision
    for (const p of ['s', 'ms', 'us', 'ns'] as const) {
      const unit = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 }[p];
      assert.equal(Math.floor(Number(BigInt(formatTimestamp(T, 999_999, p))) / unit / 1000), Math.floor(T / 1000), p);
    }
  });

  test('formatLine: tags sorted, empty tag values left out, at least one field', () => {
    const line = formatLine({
      measurement: 'm', timestamp: '1',
      tags: new Map([['z', 'last'], ['a', 'first'], ['empty', '']]),
      fields: new Map([['v', '1'], ['s', '"x"']]),
    });
    assert.equal(line, 'm,a=first,z=last v=1,s="x" 1');
    assert.throws(() => formatLine({ measurement: 'm', timestamp: '1', tags: new Map(), fields: new Map() }), LineProtocolError);
  });
});

describe('tag templates', () => {
  test('a tag whose template has no value fails the record; a fallback makes it empty (left out)', () => {
    assert.throws(() => mapper({ tags: { gone: '${topic[8]}' } }).line(rec('{"v":1}')), (e: unknown) => e instanceof SinkError && e.kind === 'permanent' && /tag gone: template \$\{topic\[8\]\}: \$\{topic\[8\]\} has no value/.test(e.message));
    assert.equal(mapper({ tags: { gone: '${topic[8]:-}', unit: '${payload.u}' } }).line(rec('{"v":1,"u":"C"}')), 'reading,unit=C v=1,u="C" 1795000000123');
  });
});

describe('record → point', () => {
  test('a JSON object: numbers as floats, booleans, strings; tags from templates and tag_fields', () => {
    const m = mapper({ tags: { site: '${topic[1]}', device: '${topic[2]}' }, tag_fields: ['unit'] });
    assert.equal(
      m.line(rec('{"celsius":21.5,"count":3,"unit":"C","ok":true,"note":"a \\"b\\""}')),
      'reading,device=dev-7,site=hall-a,unit=C celsius=21.5,count=3,ok=true,note="a \\"b\\"" 1795000000123',
    );
  });

  test('nested objects are flattened with _, arrays/nulls/time/empty keys left out, Infinity skipped', () => {
    const line = mapper().line(rec('{"a":{"b":1,"c":{"d":false}},"list":[1,2],"nil":null,"time":"12:00","":5,"big":1e999,"s":"x","e":{}}'));
    assert.equal(line, 'reading a_b=1,a_c_d=false,s="x" 1795000000123');
  });

  test('tag_fields: numbers and booleans as text, nested names by their flattened key, non-scalars skipped', () => {
    const m = mapper({ tag_fields: ['id', 'on', 'meta_site', 'obj', 'missing'] });
    assert.equal(m.line(rec('{"id":42,"on":false,"meta":{"site":"s1","n":2},"obj":{"x":1},"v":1}')), 'reading,id=42,meta_site=s1,on=false meta_n=2,v=1 1795000000123');
  });

  test('a template tag wins over a payload tag of the same name; an empty one is left out', () => {
    const m = mapper({ tags: { device: '${topic[2]}', gone: '${topic[8]:-}' }, tag_fields: ['device'] });
    assert.equal(m.line(rec('{"device":"from-payload","v":1}')), 'reading,device=dev-7 v=1 1795000000123');
  });

  test('hostile names and values are escaped exactly', () => {
    const m = mapper({ measurement: 'my meas,x', tags: { 'sp ace': '${topic[1]}' }, tag_fields: ['t,g'] });
    const line = m.line(rec('{"f k=,\\\\x":"q\\"\\\\ \\n","t,g":"v=1, 2","ok":1}', { topic: 'a/b c,d=e\\f' }));
    assert.equal(line, 'my\\ meas\\,x,sp\\ ace=b\\ c\\,d\\=e\\f,t\\,g=v\\=1\\,\\ 2 f\\ k\\=\\,\\x="q\\"\\\\ \n",ok=1 1795000000123');
  });

  test('a JSON object with no usable field is a permanent error', () => {
    assert.throws(() => mapper().line(rec('{"a":[1]}')), permanent(/no field InfluxDB can store/));
    assert.throws(() => mapper().line(rec('{}')), permanent(/no field/));
    assert.throws(() => mapper({ tag_fields: ['unit'] }).line(rec('{"unit":"C"}')), permanent(/no field/));
  });

  test('a value that ends in a backslash is a permanent error for that record', () => {
    const m = mapper({ tags: { device: '${topic[1]}' } });
    assert.throws(() => m.line(rec('{"v":1}', { topic: 'x/dev\\' })), permanent(/value of tag "device" "dev\\\\" ends in a backslash/));
    assert.throws(() => mapper().line(rec('{"k\\\\":1}')), permanent(/field key "k\\\\" ends in a backslash/));
  });

  test('not a JSON object: one string field payload (+ payload_encoding)', () => {
    const m = mapper();
    assert.equal(m.line(rec('hello "world"\\')), 'reading payload="hello \\"world\\"\\\\",payload_encoding="utf8" 1795000000123');
    assert.equal(m.line(rec('[1,2]')), 'reading payload="[1,2]",payload_encoding="utf8" 1795000000123');
    assert.equal(m.line(rec('42')), 'reading payload="42",payload_encoding="utf8" 1795000000123');
    assert.equal(m.line(rec('{"broken"')), 'reading payload="{\\"broken\\"",payload_encoding="utf8" 1795000000123');
    assert.equal(m.line(rec('')), 'reading payload="",payload_encoding="utf8" 1795000000123');
    assert.equal(m.line(rec(Buffer.from([0xff, 0x00, 0xfe]))), 'reading payload="/wD+",payload_encoding="base64" 1795000000123');
  });

  test('__proto__ in a payload is just a key', () => {
    assert.equal(mapper().line(rec('{"__proto__":{"x":1},"constructor":2}')), 'reading __proto___x=1,constructor=2 1795000000123');
  });

  test('precision us: the offset fills the microseconds', () => {
    assert.equal(mapper({ precision: 'us' }).line(rec('{"v":1}', { offset: 1042 })), 'reading v=1 1795000000123042');
  });
});

describe('config', () => {
  const base = { server: 'http://localhost:8086', measurement: 'm', org: 'o', bucket: 'b' };
  const errors = (over: Record<string, unknown>) => checkConfig(influxdbType, { ...base, ...over }).errors;

  test('line-protocol rules on measurement, tag names and templates', () => {
    assert.deepEqual(errors({}), []);
    assert.deepEqual(errors({ measurement: '#m' }), [{ path: 'config.measurement', rule: 'must not start with # (line protocol reads the line as a comment)' }]);
    assert.deepEqual(errors({ measurement: 'm\\' }), [{ path: 'config.measurement', rule: 'a measurement cannot end in a backslash in line protocol' }]);
    assert.deepEqual(errors({ measurement: 'm\nx' }), [{ path: 'config.measurement', rule: 'a measurement cannot contain a line break' }]);
    assert.deepEqual(errors({ tags: { time: '${topic}' } }), [{ path: 'config.tags.time', rule: 'InfluxDB refuses a tag named time' }]);
    assert.deepEqual(errors({ tags: { dev: '${payload.x y}' } }), [{ path: 'config.tags.dev', rule: 'unknown variable ${payload.x y}; known: ${topic}, ${topic[N]}, ${payload}, ${payload.<field>}, ${timestamp}, ${id}, ${qos}, ${user_properties.<name>}' }]);
    assert.deepEqual(errors({ tags: { dev: '${topic[-1]}', site: '${payload.meta.site}' } }), []);
    assert.deepEqual(errors({ tags: { dev: 'd-${topic[2]}', all: '${topic}' } }), []);
    assert.deepEqual(errors({ tag_fields: ['ok', 'time', 'x\\'] }), [
      { path: 'config.tag_fields[1]', rule: 'InfluxDB refuses a tag named time' },
      { path: 'config.tag_fields[2]', rule: 'a tag name cannot end in a backslash in line protocol' },
    ]);
  });

  test('v1: a password needs a username', () => {
    assert.deepEqual(checkConfig(influxdbType, { server: 'http://x:8086', measurement: 'm', version: 'v1', database: 'd', password: 'p' }).errors, [{ path: 'config.username', rule: 'is required when password is set' }]);
  });

  test('v1 precision names', () => {
    assert.deepEqual((['ns', 'us', 'ms', 's'] as const).map(v1PrecisionParam), ['n', 'u', 'ms', 's']);
  });
});

describe('HTTP outcomes', () => {
  const now = Date.parse('2026-11-22T13:00:00Z');
  const classify = (status: number, retryAfter?: string) => failureToSinkError('write to X', { status, detail: 'detail text', retryAfter }, 'token', now);

  test('400/413/422 permanent, 401/403 unavailable about credentials, 404 and 5xx unavailable, 408/429 retriable', () => {
    for (const s of [400, 413, 422]) assert.equal(classify(s).kind, 'permanent', String(s));
    for (const s of [401, 403]) {
      const e = classify(s);
      assert.equal(e.kind, 'unavailable');
      assert.match(e.message, new RegExp(`HTTP ${s}: detail text \\(the server refused the credentials: check token\\)`));
    }
    assert.equal(classify(404).kind, 'unavailable');
    for (const s of [500, 502, 503]) assert.equal(classify(s).kind, 'unavailable', String(s));
    for (const s of [408, 429]) assert.equal(classify(s).kind, 'retriable', String(s));
    assert.equal(classify(429, '7').retryAfterMs, 7000);
    assert.equal(classify(503, 'Sun, 22 Nov 2026 13:00:30 GMT').retryAfterMs, 30_000);
    assert.equal(classify(500).retryAfterMs, undefined);
  });

  test('errorDetail: v1 {error}, v2 {message}, text, header', () => {
    assert.equal(errorDetail('{"error":"partial write: x dropped=1"}'), 'partial write: x dropped=1');
    assert.equal(errorDetail('{"code":"invalid","message":"unable to parse"}'), 'unable to parse');
    assert.equal(errorDetail(' plain '), 'plain');
    assert.equal(errorDetail('', 'from header'), 'from header');
  });

  test('parseRetryAfter', () => {
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});

// ---- the sink against a local HTTP stub ---------------------------------------------------------

interface Seen { method: string; url: string; headers: IncomingHttpHeaders; body: string }
type Responder = (req: Seen, res: ServerResponse) => void;

const stubs: { close(): Promise<void> }[] = [];
after(async () => {
  for (const s of stubs) await s.close();
});

async function stub(respond: Responder): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      respond(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stubs.push({ close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const logs: string[] = [];
const ctx: SinkContext = { tenant: 'default', connectorName: 'influx-unit', log: (l, m, f) => logs.push(`${l} ${m} ${JSON.stringify(f ?? {})}`) };
const v1 = (server: string, over: Record<string, unknown> = {}): InfluxdbConfig =>
  sinkConfig(influxdbType, { server, version: 'v1', database: 'db', measurement: 'm', precision: 'ms', tags: {}, tag_fields: [], timeout_secs: 2, username: '', password: '', ...over });
const v2 = (server: string, over: Record<string, unknown> = {}): InfluxdbConfig =>
  sinkConfig(influxdbType, { server, version: 'v2', org: 'acme', bucket: 'b 1', token: 'tok-123', measurement: 'm', precision: 'us', tags: {}, tag_fields: [], timeout_secs: 2, ...over });

/** a sink after init(): sendBatch refuses before it */
async function started(cfg: InfluxdbConfig): Promise<ReturnType<typeof createInfluxSink>> {
  const sink = createInfluxSink(cfg, ctx);
  await sink.init();
  return sink;
}

describe('sink over HTTP (stub server)', () => {
  test('v1: one POST /write per batch, basic auth header, password never in the URL; an unmappable record fails alone', async () => {
    const s = await stub((_r, res) => res.writeHead(204).end());
    const sink = createInfluxSink(v1(s.url, { username: 'writer', password: 'pä$$ word' }), ctx);
    await sink.init();
    const result = await sink.sendBatch([rec('{"v":1}'), rec('{"a":[1]}'), rec('{"v":3}', { offset: 9 })]);
    assert.deepEqual(result.failed.map((f) => [f.index, f.error.kind]), [[1, 'permanent']]);
    assert.equal(s.seen.length, 1);
    const r = s.seen[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.url, '/write?db=db&precision=ms');
    assert.equal(r.headers.authorization, `Basic ${Buffer.from('writer:pä$$ word').toString('base64')}`);
    assert.equal(r.body, 'm v=1 1795000000123\nm v=3 1795000000123');
    assert.ok(!logs.join('\n').includes('pä$$'), 'password logged');
  });

  test('v1: a batch with only unmappable records sends nothing', async () => {
    const s = await stub((_r, res) => res.writeHead(204).end());
    const sink = await started(v1(s.url));
    const result = await sink.sendBatch([rec('{}'), rec('{"x":null}')]);
    assert.deepEqual(result.failed.map((f) => f.index), [0, 1]);
    assert.equal(s.seen.length, 0);
  });

  test('v1: 400 partial write is thrown as permanent (the core bisects); 401 is unavailable and names the credentials', async () => {
    let status = 400;
    const s = await stub((_r, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: status === 400 ? 'partial write: field type conflict dropped=1' : 'authorization failed' })));
    const sink = await started(v1(s.url, { username: 'u', password: 'secret-pw' }));
    await assert.rejects(sink.sendBatch([rec('{"v":1}'), rec('{"v":2}')]), permanent(/HTTP 400: partial write: field type conflict dropped=1/));
    status = 401;
    const r = await sink.sendBatch([rec('{"v":1}')]);
    assert.deepEqual(r.failed.map((f) => f.index), [0]);
    ((e: unknown) => {
      assert.ok(e instanceof SinkError && e.kind === 'unavailable');
      assert.match(e.message, /HTTP 401: authorization failed \(the server refused the credentials: check username, password/);
      assert.ok(!e.message.includes('secret-pw'));
    })(r.failed[0]?.error);
  });

  test('v1: 503 with Retry-After is reported per record as unavailable; an unmappable record stays permanent', async () => {
    const s = await stub((_r, res) => res.writeHead(503, { 'retry-after': '3' }).end('overloaded'));
    const sink = await started(v1(s.url));
    const result = await sink.sendBatch([rec('{"v":1}'), rec('{"a":[1]}'), rec('{"v":2}')]);
    assert.deepEqual(result.failed.map((f) => [f.index, f.error.kind, f.error.retryAfterMs]), [[0, 'unavailable', 3000], [1, 'permanent', undefined], [2, 'unavailable', 3000]]);
    assert.match(result.failed[0]!.error.message, /HTTP 503: overloaded/);
  });

  test('v2: the client library sends one request with the token, org, bucket and precision', async () => {
    const s = await stub((_r, res) => res.writeHead(204).end());
    const sink = createInfluxSink(v2(s.url), ctx);
    await sink.init();
    const lines = Array.from({ length: 1500 }, (_, i) => rec(`{"v":${i}}`, { offset: i }));
    assert.deepEqual(await sink.sendBatch(lines), { failed: [] });
    assert.equal(s.seen.length, 1, 'one request for the whole batch');
    const r = s.seen[0]!;
    assert.equal(r.url, '/api/v2/write?org=acme&bucket=b%201&precision=us');
    assert.equal(r.headers.authorization, 'Token tok-123');
    assert.equal(r.headers['content-encoding'], 'gzip');
  });

  test('v2: 429 retriable with Retry-After in seconds; 400 permanent; connection refused unavailable', async () => {
    let status = 429;
    const s = await stub((_r, res) => res.writeHead(status, { 'retry-after': '2', 'content-type': 'application/json' }).end(JSON.stringify({ code: 'x', message: `status ${status}` })));
    const sink = await started(v2(s.url));
    const r429 = await sink.sendBatch([rec('{"v":1}')]);
    assert.equal(r429.failed[0]?.error.kind, 'retriable');
    assert.equal(r429.failed[0]?.error.retryAfterMs, 2000);
    assert.match(r429.failed[0]!.error.message, /HTTP 429: status 429/);
    assert.equal(s.seen.length, 1, 'the client did not retry on its own');
    status = 400;
    await assert.rejects(sink.sendBatch([rec('{"v":1}')]), permanent(/HTTP 400: status 400/));
    const closed = await closedPort();
    const down = await started(v2(`http://127.0.0.1:${closed}`));
    const r = await down.sendBatch([rec('{"v":1}')]);
    assert.equal(r.failed[0]?.error.kind, 'unavailable');
    assert.match(r.failed[0]!.error.message, /ECONNREFUSED/);
  });

  test('a server that never answers: unavailable after timeout_secs, for v1 and v2', async () => {
    const s = await stub(() => undefined);
    for (const cfg of [v1(s.url, { timeout_secs: 1 }), v2(s.url, { timeout_secs: 1 })]) {
      const t0 = Date.now();
      const r = await (await started(cfg)).sendBatch([rec('{"v":1}')]);
      assert.equal(r.failed[0]?.error.kind, 'unavailable', cfg.version);
      assert.match(r.failed[0]!.error.message, /timed out after 1000 ms/);
      assert.ok(Date.now() - t0 < 2500, `${cfg.version} gave up after ${Date.now() - t0} ms`);
    }
  });

  test('validate: reachability, then an empty write judges credentials and target', async () => {
    let writeStatus = 204;
    const s = await stub((r, res) => {
      if (r.url.startsWith('/ping')) return void res.writeHead(204).end();
      if (r.url.startsWith('/health')) return void res.writeHead(404).end();
      res.writeHead(writeStatus, { 'content-type': 'application/json' }).end(writeStatus === 204 ? '' : JSON.stringify({ error: `e${writeStatus}` }));
    });
    await createInfluxSink(v1(s.url), ctx).validate();
    const probe = s.seen.filter((r) => r.method === 'POST');
    assert.equal(probe[0]?.body, '', 'the probe writes nothing');
    writeStatus = 401;
    await assert.rejects(createInfluxSink(v1(s.url, { username: 'bob', password: 'x' }), ctx).validate(), /refused user "bob": check username, password and its WRITE privilege on "db" \(HTTP 401: e401\)/);
    await assert.rejects(createInfluxSink(v1(s.url), ctx).validate(), /refused an anonymous write: set username and password/);
    writeStatus = 404;
    await assert.rejects(createInfluxSink(v1(s.url), ctx).validate(), /database "db" does not exist on http:\/\/127\.0\.0\.1:\d+: create it \(CREATE DATABASE "db"\)/);
    await assert.rejects(createInfluxSink(v2(s.url), ctx).validate(), /bucket "b 1" or org "acme" not found/);
    writeStatus = 403;
    await assert.rejects(createInfluxSink(v2(s.url), ctx).validate(), /refused the token: check token and its write permission on bucket "b 1"/);
    writeStatus = 400; // an answer to the empty body itself: credentials and target passed
    await createInfluxSink(v2(s.url), ctx).validate();
    const closed = await closedPort();
    await assert.rejects(createInfluxSink(v1(`http://127.0.0.1:${closed}`), ctx).validate(), new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`));
  });

  test('the registered loader builds the sink; cleanup is safe twice', async () => {
    assert.ok(influxdbType.loadSink);
    const factory = await influxdbType.loadSink();
    const s = await stub((_r, res) => res.writeHead(204).end());
    const sink = factory.createSink(sinkConfig(influxdbType, { server: s.url, measurement: 'm', version: 'v1', database: 'db' }), ctx);
    await sink.init();
    assert.deepEqual(await sink.sendBatch([rec('{"v":1}')]), { failed: [] });
    await sink.cleanup();
    await sink.cleanup();
  });
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
