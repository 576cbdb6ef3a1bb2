// A connector's transform through a whole Sluice on a real Mosquitto into the file sink: the
// filter drops records (counted as `filtered`, in the accounting identity and the metrics), the
// map reshapes what is written, a record whose transform fails is a dead letter carrying the
// expression's error, and a dead letter is replayed through the transform once it is fixed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertAccounting, metricValue, primeWith, publishNumbered, range, readJsonLines, sluiceOnMosquitto, waitFor } from '../helpers/runtime.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

interface DeadLetter {
  id: number;
  error_message: string;
  payload: string;
}

describe('transform: filter and map before the sink', () => {
  const fx = sluiceOnMosquitto();

  test('filter drops the odd numbers, map reshapes the rest; a failing map dead-letters that record; replay after the fix', { timeout: 120_000 }, async () => {
    const out = join(tempDir('sluice-transform-'), 'out.jsonl');
    const transform = {
      filter: '$not($exists(payload.seq)) or payload.seq % 2 = 0',
      map: { payload: '$exists(payload.seq) ? { "n": payload.seq, "site": topic_levels[1] } : $error("payload has no seq")', user_properties: '{ "site": topic_levels[1] }' },
    };
    await fx.api.create({ name: 'tf', type: 'file', topic_filter: 'tf/+/in', config: { local_file_path: out }, transform, failure_strategy: { strategy: 'dead_message_queue', topic_name: 'sluice/dlq/tf' } });
    const view = await fx.api.ok<{ transform: Record<string, unknown> }>('GET', '/api/v1/connectors/tf');
    assert.deepEqual(view.transform, { ...transform, timeout_ms: 250, max_depth: 200 }, 'stored with its defaults');

    await primeWith(fx.api, 'tf', fx.url, 'tf/site-7/in', 0);
    await publishNumbered({ url: fx.url, seqs: range(1, 201), topic: () => 'tf/site-7/in', clientId: 'tf-pub' });
    await publishNumbered({ url: fx.url, seqs: [1000], topic: () => 'tf/site-7/in', payload: () => 'not a number', clientId: 'tf-bad' });
    const s = await fx.api.until('tf', 'all 202 settled', (x) => x.pending === 0 && x.received >= 202);
    assert.equal(s.received, 202, JSON.stringify(s));
    assert.equal(s.filtered, 100, `seq 1, 3, … 199: ${JSON.stringify(s)}`);
    assert.equal(s.written, 101, `seq 0, 2, … 200: ${JSON.stringify(s)}`);
    assert.equal(s.dead_lettered, 1);
    assertAccounting(s);

    const lines = readJsonLines(out);
    assert.equal(lines.length, 101);
    assert.deepEqual(lines.map((l) => JSON.parse(l.payload) as { n: number; site: string }).map((p) => p.n).sort((a, b) => a - b), range(0, 101).map((i) => i * 2));
    assert.ok(lines.every((l) => (JSON.parse(l.payload) as { site: string }).site === 'site-7'));
    const metrics = await fx.api.metrics();
    assert.equal(metricValue(metrics, 'sluice_filtered_total', { name: 'tf' }), 100);

    const dl = await fx.api.ok<{ items: DeadLetter[] }>('GET', '/api/v1/connectors/tf/dead-letters');
    assert.equal(dl.items.length, 1);
    assert.equal(dl.items[0]?.payload, 'not a number', 'the dead letter holds the message as received');
    assert.match(dl.items[0]?.error_message ?? '', /^transform\.map\.payload: payload has no seq/);

    // fixed: text payloads are written as { text }; the replay goes through the new transform
    await fx.api.ok('PATCH', '/api/v1/connectors/tf', { transform: { map: { payload: '$exists(payload.seq) ? { "n": payload.seq } : { "text": payload }' } } });
    // the PATCH answers before the sink has restarted with the new transform: 409 until then
    const replayed = await waitFor('replay accepted', async () => {
      const r = await fx.api.request<{ replayed: number; failed: number }>('POST', '/api/v1/connectors/tf/dead-letters/replay', {});
      return r.status === 200 ? r.body : undefined;
    });
    assert.deepEqual(replayed, { replayed: 1, failed: 0 });
    const after = readJsonLines(out);
    assert.equal(after.length, 102);
    assert.deepEqual(JSON.parse(after[after.length - 1]?.payload ?? '{}'), { text: 'not a number' });
    assertAccounting(await fx.api.status('tf'));

    // null removes the transform: records go as received again
    await fx.api.ok('PATCH', '/api/v1/connectors/tf', { transform: null });
    assert.equal((await fx.api.ok<{ transform?: unknown }>('GET', '/api/v1/connectors/tf')).transform, undefined);
    await fx.api.ok('DELETE', '/api/v1/connectors/tf');
  });

  test('transform/test: sample messages or the newest journaled records, side by side with what they become; nothing is written', { timeout: 60_000 }, async () => {
    const trial = await fx.api.ok<{ results: { input: { payload: string }; outcome: string; output: { topic: string; payload: string }[]; error?: string }[] }>('POST', '/api/v1/transform/test', {
      transform: { filter: 'payload.temp > 30', map: { payload: '{ "f": payload.temp * 1.8 + 32 }', topic: '"hot/" & topic_levels[1]' } },
      messages: [{ topic: 'a/dev-1', payload: '{"temp":35}', timestamp: 1_767_225_600_000 }, { topic: 'a/dev-2', payload: '{"temp":20}' }, { topic: 'a/dev-3', payload: '{"temp":"x"}' }],
    });
    assert.deepEqual(trial.results.map((r) => r.outcome), ['sent', 'filtered', 'failed']);
    assert.deepEqual(trial.results[0]?.output, [{ topic: 'hot/dev-1', payload: '{"f":95}', payload_encoding: 'utf8', qos: 1, retain: false, timestamp: 1_767_225_600_000 }]);
    assert.match(trial.results[2]?.error ?? '', /^transform\.filter: /);

    const out = join(tempDir('sluice-transform-'), 'paused.jsonl');
    await fx.api.create({ name: 'tt', type: 'file', topic_filter: 'tt/#', config: { local_file_path: out }, transform: { map: '$uppercase(payload)' }, desired_state: 'paused' });
    await fx.api.until('tt', 'paused', (x) => x.state === 'paused' && x.source_connected);
    await primeWith(fx.api, 'tt', fx.url, 'tt/x', 0, () => 'hello');
    await publishNumbered({ url: fx.url, seqs: [1, 2], topic: () => 'tt/x', payload: (n) => `msg ${n}`, clientId: 'tt-pub' });
    await fx.api.until('tt', '3 journaled', (x) => x.received >= 3);
    const last = await fx.api.ok<{ results: { input: { payload: string }; output: { payload: string }[] }[] }>('POST', '/api/v1/connectors/tt/transform/test', { last: 2 });
    assert.deepEqual(last.results.map((r) => [r.input.payload, r.output[0]?.payload]), [['msg 1', 'MSG 1'], ['msg 2', 'MSG 2']]);
    const other = await fx.api.ok<{ results: { output: { payload: string }[] }[] }>('POST', '/api/v1/connectors/tt/transform/test', { transform: { map: '$length(payload)' }, last: 1 });
    assert.equal(other.results[0]?.output[0]?.payload, '5', 'a transform given in the body is tried instead of the stored one');
    const s = await fx.api.status('tt');
    assert.equal(s.written, 0, 'nothing was written');
    assert.equal(s.pending, 3);
    const bad = await fx.api.request<{ fields: { path: string }[] }>('POST', '/api/v1/connectors/tt/transform/test', { transform: { filter: '(' }, last: 1 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.fields[0]?.path, 'transform.filter');

    // the CLI: the same trial, printed input beside output
    const cli = await runCli(['connector', 'test-transform', 'tt', '-m', 'tt/x={"a":1}', '-m', 'tt/y=plain text'], { env: { SLUICE_URL: fx.server.url } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), ['#1 tt/x  {"a":1}', '   → failed: transform.map: Argument 1 of function "uppercase" does not match function signature (at position 11)', '#2 tt/y  plain text', '   → tt/y  PLAIN TEXT'].join('\n'));
    const fromJournal = await runCli(['connector', 'test-transform', 'tt', '--last', '1', '--transform', '{"filter":"false"}'], { env: { SLUICE_URL: fx.server.url } });
    assert.equal(fromJournal.code, 0, fromJournal.stderr);
    assert.match(fromJournal.stdout, /^#1 tt\/x {2}msg 2\n {3}→ filtered \(not sent\)$/m);
    const badCli = await runCli(['connector', 'test-transform', 'tt', '--transform', '{"map":"("}'], { env: { SLUICE_URL: fx.server.url } });
    assert.equal(badCli.code, 1);
    assert.match(badCli.stderr, /transform\.map: does not parse/);
    await fx.api.ok('DELETE', '/api/v1/connectors/tt');
  });

  test('an expression that does not parse is refused at create, naming the step', async () => {
    const r = await fx.api.request<{ fields: { path: string; rule: string }[] }>('POST', '/api/v1/connectors', { name: 'tf-bad', type: 'file', topic_filter: 'x', config: { local_file_path: '/tmp/never.jsonl' }, transform: { filter: 'payload.seq >', map: { topic: '"ok"', payload: '{' } } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.fields.map((f) => f.path), ['transform.filter', 'transform.map.payload']);
    assert.match(r.body.fields[0]?.rule ?? '', /^does not parse at position \d+/);
  });
});
