// The kafka sink against a real Kafka broker (KRaft, from the harness) and a real Mosquitto, through
// a whole Sluice: MQTT QoS 1 in, Kafka records out, read back with a kafkajs consumer.
// Content (raw and envelope), an outage (broker restarted mid-stream), a record Kafka refuses, and
// bad configs (unreachable brokers, a refused SASL login) that recover once fixed.
import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kafkajs, { type Admin, type IHeaders } from 'kafkajs';
import mqtt from 'mqtt';
import { registerCodecs } from '../../src/connectors/kafka/codecs.js';
import { freePort, KAFKA_VERSION, startService, type RunningService } from '../harness/services.js';
import { tcpAccepts } from '../harness/services/common.js';
import { Api, assertAccounting, primeWith, publishNumbered, range, seqPayload, startMosquitto, waitFor } from '../helpers/runtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const { Kafka, logLevel } = kafkajs;

interface Consumed {
  key: Buffer | null;
  value: Buffer;
  headers: IHeaders;
  timestamp: number;
  offset: number;
}

/** The compression codec (attributes & 7) of each record batch of a log segment file. */
function batchCodecs(segment: Buffer): number[] {
  const out: number[] = [];
  // baseOffset int64, batchLength int32 (bytes after this field), leaderEpoch int32, magic int8, crc int32, attributes int16
  for (let at = 0; at + 23 <= segment.length;) {
    const length = segment.readInt32BE(at + 8);
    out.push(segment.readInt16BE(at + 21) & 7);
    at += 12 + length;
  }
  return out;
}

const seqOfValue = (v: Buffer): number => (JSON.parse(v.toString('utf8')) as { seq: number }).seq;
const header = (h: IHeaders, name: string): string | undefined => {
  const v = h[name];
  return v === undefined ? undefined : Array.isArray(v) ? v.map(String).join('|') : v.toString();
};

describe(`kafka sink against Kafka ${KAFKA_VERSION} (KRaft) and Mosquitto`, () => {
  let kafkaSvc: RunningService;
  let mosquitto: RunningService;
  let mqttUrl: string;
  let brokers: string;
  let kafkaPort: number;
  let admin: Admin;
  let server: TestServer;
  let api: Api;
  const client = () => new Kafka({ brokers: [brokers], clientId: 'sluice-test-reader', logLevel: logLevel.NOTHING });

  before(async () => {
    const [k, m] = await Promise.all([startService('kafka'), startMosquitto()]);
    kafkaSvc = k;
    ({ svc: mosquitto, url: mqttUrl } = m);
    brokers = kafkaSvc.env.SLUICE_TEST_KAFKA_BROKERS as string;
    assert.ok(brokers, 'harness gave no SLUICE_TEST_KAFKA_BROKERS');
    kafkaPort = Number(brokers.split(':')[1]);
    admin = client().admin();
    await admin.connect();
    server = await startTestServer({ mqttUrl });
    api = new Api(server.url);
    console.log(`[kafka] broker: Apache Kafka ${KAFKA_VERSION} (KRaft, single node) at ${brokers}`);
  });

  after(async () => {
    await server?.cleanup();
    await admin?.disconnect().catch(() => undefined);
    await kafkaSvc?.stop();
    await mosquitto?.stop();
  });

  /** Records in a topic (one partition) once the high watermark reaches `atLeast`; exactly as many as the topic holds. */
  async function readTopic(topic: string, atLeast: number, timeoutMs = 60_000): Promise<Consumed[]> {
    const high = await waitFor(`${topic} holds ${atLeast} records`, async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      const n = offsets.reduce((a, p) => a + Number(p.high), 0);
      return n >= atLeast ? n : undefined;
    }, { timeoutMs, intervalMs: 250 });
    const consumer = client().consumer({ groupId: `reader-${topic}-${Date.now()}` });
    const out: Consumed[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          out.push({ key: message.key, value: message.value ?? Buffer.alloc(0), headers: message.headers ?? {}, timestamp: Number(message.timestamp), offset: Number(message.offset) });
        },
      });
      await waitFor(`${high} records consumed from ${topic}`, () => out.length >= high, { timeoutMs, intervalMs: 100 });
    } finally {
      await consumer.disconnect();
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  async function topics(): Promise<string[]> {
    return admin.listTopics();
  }

  test('content: 3,000 QoS 1 messages arrive with the payload bytes untouched, key, headers and timestamp', { timeout: 180_000 }, async () => {
    const N = 3000;
    const TOPIC = 'sluice_raw';
    assert.ok(!(await topics()).includes(TOPIC), 'the topic does not exist before (auto-created at start)');
    // journaled while paused, then drained: the drain rate is the sink's own rate
    await api.create({
      name: 'k-raw', type: 'kafka', topic_filter: 'kraw/#', desired_state: 'paused',
      config: { bootstrap_servers: brokers, topic: TOPIC, key: 'dev-${topic}' },
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 10, wait_time_ms: 500 },
      // four batches in flight: produced in the order they came, so the per-topic order check below holds
      delivery: { batch_size: 500, linger_ms: 20, max_in_flight: 4 },
    });
    await api.until('k-raw', 'paused', (s) => s.state === 'paused');
    await primeWith(api, 'k-raw', mqttUrl, 'kraw/0/data', 0);
    const t0 = Date.now();
    const pub = await publishNumbered({ url: mqttUrl, seqs: range(1, N), topic: (seq) => `kraw/${seq % 4}/data`, window: 500, clientId: 'kraw-pub' });
    assert.equal(pub.acked.size, N - 1, `every publish acknowledged (failed: ${pub.failed.size})`);
    await api.until('k-raw', `${N} pending`, (s) => s.pending === N);
    const tDrain = Date.now();
    await api.ok('POST', '/api/v1/connectors/k-raw/resume');
    await api.until('k-raw', `written = ${N}`, (s) => s.written >= N && s.pending === 0, 120_000);
    const secs = (Date.now() - tDrain) / 1000;
    assert.ok((await topics()).includes(TOPIC), 'init created the topic');
    console.log(`[kafka throughput] ${Math.round(N / secs)} records/s drained to Kafka ${KAFKA_VERSION} (${N} records, batch_size 500, acks=all, ${secs.toFixed(2)} s incl. sink start); MQTT QoS 1 publish into Sluice: ${Math.round(((N - 1) * 1000) / pub.ms)} msg/s`);

    // a binary payload with MQTT 5 properties
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0xc3, 0x28, 0x7b]);
    const pubc = await mqtt.connectAsync(mqttUrl, { clientId: 'kraw-props', protocolVersion: 5, reconnectPeriod: 0 });
    await pubc.publishAsync('kraw/bin/data', binary, { qos: 1, properties: { contentType: 'application/octet-stream', responseTopic: 'reply/kraw', correlationData: Buffer.from([1, 2, 0xff]), userProperties: { site: 'paris', tag: ['a', 'b'] } } });
    await pubc.endAsync();
    const s = await api.until('k-raw', 'the binary message written', (x) => x.written >= N + 1 && x.pending === 0);
    const tEnd = Date.now();

    const got = await readTopic(TOPIC, N + 1);
    assert.equal(got.length, N + 1, 'exactly one Kafka record per MQTT message');
    const numbered = got.filter((m) => header(m.headers, 'mqtt_topic') !== 'kraw/bin/data');
    const seqs = numbered.map((m) => seqOfValue(m.value));
    assert.deepEqual([...seqs].sort((a, b) => a - b), range(0, N), 'every sequence number exactly once');
    const lastPerTopic = new Map<string, number>();
    for (const m of numbered) {
      const seq = seqOfValue(m.value);
      const mqttTopic = `kraw/${seq % 4}/data`;
      assert.ok(m.value.equals(Buffer.from(seqPayload(seq))), `value bytes of seq ${seq}`);
      assert.equal(m.key?.toString(), `dev-${mqttTopic}`);
      assert.equal(header(m.headers, 'mqtt_topic'), mqttTopic);
      assert.equal(header(m.headers, 'mqtt_qos'), '1');
      assert.equal(header(m.headers, 'mqtt_retain'), 'false');
      assert.equal(header(m.headers, 'mqtt_timestamp'), String(m.timestamp), 'Kafka timestamp = MQTT receive time');
      assert.ok(m.timestamp >= t0 - 60_000 && m.timestamp <= tEnd, `timestamp ${m.timestamp} in the test's window`);
      assert.ok((lastPerTopic.get(mqttTopic) ?? -1) < seq, `order kept within ${mqttTopic}`);
      lastPerTopic.set(mqttTopic, seq);
    }
    const bin = got.find((m) => header(m.headers, 'mqtt_topic') === 'kraw/bin/data');
    assert.ok(bin, 'the binary message');
    assert.ok(bin.value.equals(binary), `binary value untouched: ${bin.value.toString('hex')}`);
    assert.equal(bin.key?.toString(), 'dev-kraw/bin/data');
    assert.equal(header(bin.headers, 'mqtt_content_type'), 'application/octet-stream');
    assert.equal(header(bin.headers, 'mqtt_response_topic'), 'reply/kraw');
    assert.ok(Buffer.from(bin.headers.mqtt_correlation_data as Buffer).equals(Buffer.from([1, 2, 0xff])));
    assert.equal(header(bin.headers, 'mqtt_up_site'), 'paris');
    assert.equal(header(bin.headers, 'mqtt_up_tag'), 'a|b', 'a repeated user property is a repeated header');

    assertAccounting(s);
    assert.equal(s.discarded_total, 0);
    assert.equal(s.dead_lettered, 0);
    await api.ok('DELETE', '/api/v1/connectors/k-raw');
  });

  test('content: envelope values carry the record JSON; no key when the template is empty', { timeout: 120_000 }, async () => {
    const TOPIC = 'sluice_envelope';
    await api.create({
      name: 'k-env', type: 'kafka', topic_filter: 'kenv/#',
      config: { bootstrap_servers: brokers, topic: TOPIC, value_format: 'envelope', compression_type: 'gzip', acks: '1' },
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 10, wait_time_ms: 500 },
    });
    await api.until('k-env', 'running', (s) => s.state === 'running', 60_000);
    await primeWith(api, 'k-env', mqttUrl, 'kenv/text', 0);
    const binary = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    await publishNumbered({ url: mqttUrl, seqs: range(1, 20), topic: () => 'kenv/text', clientId: 'kenv-pub' });
    await publishNumbered({ url: mqttUrl, seqs: [20], topic: () => 'kenv/bin', payload: () => binary, clientId: 'kenv-bin' });
    const s = await api.until('k-env', '21 written', (x) => x.written >= 21 && x.pending === 0);
    const got = await readTopic(TOPIC, 21);
    assert.equal(got.length, 21);
    for (const m of got) {
      assert.equal(m.key, null, 'no key');
      const j = JSON.parse(m.value.toString('utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(j), ['id', 'topic', 'payload', 'payload_encoding', 'qos', 'retain', 'timestamp', 'offset']);
      assert.equal(header(m.headers, 'sluice_id'), j.id, 'the header and the envelope carry the same record id');
      assert.equal(j.qos, 1);
      assert.equal(j.retain, false);
      assert.equal(j.timestamp, m.timestamp);
      assert.equal(typeof j.offset, 'number');
      if (j.topic === 'kenv/bin') {
        assert.equal(j.payload_encoding, 'base64');
        assert.ok(Buffer.from(j.payload as string, 'base64').equals(binary));
      } else {
        assert.equal(j.topic, 'kenv/text');
        assert.equal(j.payload_encoding, 'utf8');
        assert.match(j.payload as string, /^\{"seq":\d+\}$/);
      }
    }
    assert.deepEqual(got.filter((m) => m.value.includes('"kenv/text"')).map((m) => (JSON.parse((JSON.parse(m.value.toString()) as { payload: string }).payload) as { seq: number }).seq), range(0, 20));
    assertAccounting(s);
    await api.ok('DELETE', '/api/v1/connectors/k-env');
  });

  test("compression: snappy, lz4 and zstd (RobustMQ's codecs) reach the broker as such and read back intact", { timeout: 120_000 }, async () => {
    await registerCodecs(); // the reader's consumer decompresses with the same codecs
    const codecs = { snappy: 2, lz4: 3, zstd: 4 } as const; // a record batch's attributes & 7
    for (const [codec, attribute] of Object.entries(codecs)) {
      const TOPIC = `sluice_codec_${codec}`;
      const name = `k-${codec}`;
      await api.create({ name, type: 'kafka', topic_filter: `kcodec/${codec}/#`, config: { bootstrap_servers: brokers, topic: TOPIC, compression_type: codec, acks: '-1' } });
      await api.until(name, 'running', (s) => s.state === 'running', 60_000);
      await publishNumbered({ url: mqttUrl, seqs: range(0, 200), topic: () => `kcodec/${codec}/t`, clientId: `kcodec-${codec}` });
      const s = await api.until(name, '200 written', (x) => x.written >= 200 && x.pending === 0);
      const got = await readTopic(TOPIC, 200);
      assert.deepEqual(got.map((m) => seqOfValue(m.value)).sort((a, b) => a - b), range(0, 200), `${codec}: every record read back`);
      const segment = await readFile(join(kafkaSvc.env.SLUICE_TEST_KAFKA_LOG_DIR as string, `${TOPIC}-0`, '00000000000000000000.log'));
      const used = batchCodecs(segment);
      assert.ok(used.length > 0 && used.every((c) => c === attribute), `${codec}: the broker stored batches with codec ${attribute}, got ${used.join(',')}`);
      assertAccounting(s);
      await api.ok('DELETE', `/api/v1/connectors/${name}`);
    }
  });

  test('outage: Kafka restarted mid-stream; the connectors wait: discard_after_retry (idempotent producer) and discard lose nothing, nothing is charged', { timeout: 300_000 }, async () => {
    const TOTAL = 2500;
    const common = { bootstrap_servers: brokers, message_timeout_ms: 5000, connection_timeout_ms: 1000 };
    await api.create({
      name: 'k-retry', type: 'kafka', topic_filter: 'kout/retry/#', config: { ...common, topic: 'sluice_outage_retry', idempotent: true },
      failure_strategy: { strategy: 'discard_after_retry', retry_total_times: 400, wait_time_ms: 300 },
      delivery: { batch_size: 200, linger_ms: 10 },
    });
    await api.create({
      name: 'k-drop', type: 'kafka', topic_filter: 'kout/drop/#', config: { ...common, topic: 'sluice_outage_drop' },
      failure_strategy: { strategy: 'discard' },
      delivery: { batch_size: 200, linger_ms: 10 },
    });
    for (const name of ['k-retry', 'k-drop']) await api.until(name, 'running', (s) => s.state === 'running', 60_000);
    await primeWith(api, 'k-retry', mqttUrl, 'kout/retry/0', 0);
    await primeWith(api, 'k-drop', mqttUrl, 'kout/drop/0', 0);
    const publishBoth = async (seqs: number[]) => {
      const [a, b] = await Promise.all([
        publishNumbered({ url: mqttUrl, seqs, topic: (q) => `kout/retry/${q % 3}`, clientId: 'kout-r' }),
        publishNumbered({ url: mqttUrl, seqs, topic: (q) => `kout/drop/${q % 3}`, clientId: 'kout-d' }),
      ]);
      assert.equal(a.acked.size, seqs.length);
      assert.equal(b.acked.size, seqs.length);
    };

    await publishBoth(range(1, 1000));
    const restarting = kafkaSvc.restart?.();
    assert.ok(restarting, 'the harness Kafka can restart');
    await waitFor('Kafka stopped', async () => !(await tcpAccepts(kafkaPort)), { timeoutMs: 60_000, intervalMs: 50 });
    const downAt = Date.now();
    await publishBoth(range(1000, 2000)); // while Kafka is down
    const waiting = await api.until('k-drop', 'waiting while Kafka is down', (s) => s.state === 'waiting', 60_000);
    await restarting;
    const outageS = (Date.now() - downAt) / 1000;
    await publishBoth(range(2000, TOTAL));

    for (const [name, topic] of [['k-retry', 'sluice_outage_retry'], ['k-drop', 'sluice_outage_drop']] as const) {
      const s = await api.until(name, `all ${TOTAL} written`, (x) => x.written >= TOTAL && x.pending === 0, 180_000);
      assertAccounting(s, name);
      assert.deepEqual([s.discarded_total, s.dead_lettered, s.retries], [0, 0, 0], `${name}: an unavailable broker is neither a drop nor a charged retry`);
      const kept = await readTopic(topic, TOTAL, 120_000);
      const keptSeqs = new Set(kept.map((m) => seqOfValue(m.value)));
      assert.deepEqual(range(0, TOTAL).filter((q) => !keptSeqs.has(q)).slice(0, 20), [], `${name}: no sequence number lost`);
      console.log(`[kafka outage] ${name}: broker down ~${outageS.toFixed(1)} s; ${s.written} written, 0 discarded, 0 retries charged; ${kept.length - keptSeqs.size} duplicates (at-least-once)`);
    }
    assert.match(waiting.last_error ?? '', /./);
    assert.ok(waiting.waiting_since !== null);
    for (const name of ['k-retry', 'k-drop']) await api.ok('DELETE', `/api/v1/connectors/${name}`);
  });

  /** A paused connector gets 50 records journaled, seq BIG_AT too large for Kafka; then it resumes. */
  async function poisonRun(name: string, mqttTopic: string, kafkaTopic: string, extra: Record<string, unknown>) {
    const BIG_AT = 25;
    const big = `BIG${'x'.repeat(1_100_000)}`;
    await api.create({
      name, type: 'kafka', topic_filter: mqttTopic, desired_state: 'paused',
      config: { bootstrap_servers: brokers, topic: kafkaTopic, ...extra },
      failure_strategy: { strategy: 'dead_message_queue', retry_total_times: 3, wait_time_ms: 500, topic_name: `sluice/dlq/${name}` },
      delivery: { batch_size: 100, linger_ms: 2000 },
    });
    await api.until(name, 'paused', (s) => s.state === 'paused');
    await primeWith(api, name, mqttUrl, mqttTopic, 0);
    const pub = await publishNumbered({ url: mqttUrl, seqs: range(1, 50), topic: () => mqttTopic, payload: (q) => (q === BIG_AT ? big : seqPayload(q)), clientId: `${name}-pub` });
    assert.equal(pub.acked.size, 49);
    await api.until(name, '50 pending', (s) => s.pending === 50);
    await api.ok('POST', `/api/v1/connectors/${name}/resume`);
    const s = await api.until(name, 'all 50 with an outcome', (x) => x.pending === 0 && x.written + x.dead_lettered === 50, 60_000);
    assert.equal(s.dead_lettered, 1, 'only the record Kafka refuses');
    assert.equal(s.written, 49);
    assert.equal(s.retries, 0, 'a permanent refusal is not retried');
    assertAccounting(s);
    const got = await readTopic(kafkaTopic, 49);
    assert.equal(got.length, 49, 'the rest of the batch landed, once');
    assert.deepEqual(got.map((m) => seqOfValue(m.value)), range(0, 50).filter((q) => q !== BIG_AT), 'in order');
    const dl = await api.ok<{ total: number; items: { payload: string; error_message: string; retry_times: number; source_topic: string }[] }>('GET', `/api/v1/connectors/${name}/dead-letters`);
    assert.equal(dl.total, 1);
    assert.equal(dl.items[0]?.source_topic, mqttTopic);
    assert.ok(dl.items[0]?.payload.startsWith('BIG'));
    assert.match(dl.items[0]?.error_message ?? '', /MESSAGE_TOO_LARGE/);
    await api.ok('DELETE', `/api/v1/connectors/${name}`);
  }

  test('bad data: a record larger than the topic allows is dead-lettered alone; its batch lands', { timeout: 120_000 }, async () => {
    await poisonRun('k-big', 'kbad/split', 'sluice_bad', {}); // sent in its own request (batch split by size)
  });

  test('bad data: in one request with the rest, the refusal is bisected by the core', { timeout: 120_000 }, async () => {
    await poisonRun('k-big-bisect', 'kbad/bisect', 'sluice_bad_bisect', { max_request_bytes: 8_000_000 });
  });

  test('bad config: unreachable brokers → waiting with the reason; recovers once they are reachable', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const probe = await api.request('POST', '/api/v1/connector-types/kafka/validate', { config: { bootstrap_servers: `127.0.0.1:${port}`, topic: 'sluice_cfg' }, probe: true });
    assert.ok(probe.status >= 400, probe.text);
    assert.match(probe.text, new RegExp(`cannot reach Kafka at 127\\.0\\.0\\.1:${port}: Connection error: connect ECONNREFUSED`));

    await api.create({ name: 'k-unreach', type: 'kafka', topic_filter: 'kcfg/unreach', config: { bootstrap_servers: `127.0.0.1:${port}`, topic: 'sluice_cfg_unreach', connection_timeout_ms: 1000 } });
    const e = await api.until('k-unreach', 'waiting state', (s) => s.state === 'waiting' && s.last_error !== null);
    assert.match(e.last_error ?? '', new RegExp(`^kafka sink: cannot reach Kafka at 127\\.0\\.0\\.1:${port}: Connection error: connect ECONNREFUSED`));

    // the fix: something now forwards that address to the broker (as a firewall opening would)
    const fwd = await forward(port, kafkaPort);
    try {
      await api.until('k-unreach', 'running again by itself', (s) => s.state === 'running', 90_000);
      await primeWith(api, 'k-unreach', mqttUrl, 'kcfg/unreach', 0);
      await api.until('k-unreach', 'written', (s) => s.written >= 1 && s.pending === 0);
      const got = await readTopic('sluice_cfg_unreach', 1);
      assert.equal(seqOfValue(got[0]?.value ?? Buffer.from('{}')), 0);
      await api.ok('DELETE', '/api/v1/connectors/k-unreach');
    } finally {
      await fwd.close();
    }
  });

  test('bad config: a refused SASL login → waiting, the error naming the user, never the password; fixed config recovers', { timeout: 120_000 }, async () => {
    // a SASL login on the PLAINTEXT listener: the broker refuses it (ILLEGAL_SASL_STATE)
    await api.create({
      name: 'k-auth', type: 'kafka', topic_filter: 'kcfg/auth',
      config: { bootstrap_servers: brokers, topic: 'sluice_cfg_auth', sasl_mechanism: 'plain', sasl_username: 'sluice', sasl_password: 's3cret-pw' },
    });
    const e = await api.until('k-auth', 'waiting state', (s) => s.state === 'waiting' && s.last_error !== null);
    assert.match(e.last_error ?? '', new RegExp(`^kafka sink: Kafka at ${brokers.replaceAll('.', '\\.')} refused the login with SASL plain as user "sluice": ILLEGAL_SASL_STATE`));
    assert.ok(!(e.last_error ?? '').includes('s3cret-pw'), 'no password in last_error');
    assert.ok(!(await topics()).includes('sluice_cfg_auth'), 'nothing was created');

    await api.ok('PATCH', '/api/v1/connectors/k-auth', { config: { sasl_mechanism: 'none', sasl_username: null, sasl_password: null } });
    await api.until('k-auth', 'running after the fix', (s) => s.state === 'running', 60_000);
    await primeWith(api, 'k-auth', mqttUrl, 'kcfg/auth', 0);
    await api.until('k-auth', 'written', (s) => s.written >= 1 && s.pending === 0);
    assert.equal((await readTopic('sluice_cfg_auth', 1)).length, 1);
    await api.ok('DELETE', '/api/v1/connectors/k-auth');
  });

  test('SASL listener: plain, scram-sha-256 and scram-sha-512 logins write; a wrong password is named with the user, never shown, and fixing it recovers', { timeout: 180_000 }, async () => {
    const sasl = { bootstrap_servers: kafkaSvc.env.SLUICE_TEST_KAFKA_SASL_BROKERS as string, sasl_username: kafkaSvc.env.SLUICE_TEST_KAFKA_SASL_USER as string };
    const password = kafkaSvc.env.SLUICE_TEST_KAFKA_SASL_PASSWORD as string;
    for (const [i, mechanism] of (['plain', 'scram-sha-256', 'scram-sha-512'] as const).entries()) {
      const name = `k-sasl-${i}`;
      await api.create({ name, type: 'kafka', topic_filter: `ksasl/${i}`, config: { ...sasl, topic: `sluice_sasl_${i}`, sasl_mechanism: mechanism, sasl_password: password } });
      await primeWith(api, name, mqttUrl, `ksasl/${i}`, i);
      await api.until(name, 'written', (x) => x.written >= 1 && x.pending === 0);
      const got = await readTopic(`sluice_sasl_${i}`, 1);
      assert.equal(seqOfValue(got[0]?.value ?? Buffer.from('{}')), i, `${mechanism}: the record arrived`);
      await api.ok('DELETE', `/api/v1/connectors/${name}`);
    }

    await api.create({ name: 'k-sasl-bad', type: 'kafka', topic_filter: 'ksasl/bad', config: { ...sasl, topic: 'sluice_sasl_bad', sasl_mechanism: 'scram-sha-256', sasl_password: 'not-the-pw-123' } });
    const e = await api.until('k-sasl-bad', 'waiting state', (x) => x.state === 'waiting' && x.last_error !== null);
    assert.match(e.last_error ?? '', /refused the login with SASL scram-sha-256 as user "sluice": .*invalid credentials/i);
    assert.ok(!(e.last_error ?? '').includes('not-the-pw-123'), 'no password in last_error');
    await api.ok('PATCH', '/api/v1/connectors/k-sasl-bad', { config: { sasl_password: password } });
    await api.until('k-sasl-bad', 'running after the fix', (x) => x.state === 'running', 90_000);
    await primeWith(api, 'k-sasl-bad', mqttUrl, 'ksasl/bad', 7);
    await api.until('k-sasl-bad', 'written', (x) => x.written >= 1 && x.pending === 0);
    assert.equal(seqOfValue((await readTopic('sluice_sasl_bad', 1))[0]?.value ?? Buffer.from('{}')), 7);
    await api.ok('DELETE', '/api/v1/connectors/k-sasl-bad');
  });

  test('validate with probe is read-only: a missing topic is reported as going to be auto-created, not created', { timeout: 60_000 }, async () => {
    const r = await api.request('POST', '/api/v1/connector-types/kafka/validate', { config: { bootstrap_servers: brokers, topic: 'sluice_probe_only' }, probe: true });
    assert.equal(r.status, 200, r.text);
    assert.ok(!(await topics()).includes('sluice_probe_only'), 'a probe does not create the topic');
  });
});

/** A TCP forwarder 127.0.0.1:from → 127.0.0.1:to. */
async function forward(from: number, to: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((down) => {
    const up = tcpConnect(to, '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(from, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}
