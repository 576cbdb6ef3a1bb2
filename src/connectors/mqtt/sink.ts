// The `mqtt` bridge sink: republishes each record to a target broker over one mqtt.js client.
// A batch is published concurrently (up to the target's Receive Maximum in flight) and each
// record reports its own outcome: QoS 1/2 counts once PUBACK/PUBCOMP came back, QoS 0 once it was
// written to the socket. A publish the broker refuses (MQTT 5 reason code ≥ 0x80) is permanent for
// that record; a connection lost before the ack is retriable. mqtt.js reconnects in the background
// with a capped, doubling period, and while it is not connected a batch fails at once: nothing is
// queued offline, the journal is the buffer.
import mqtt, { type IConnackPacket, type IDisconnectPacket, type MqttClient } from 'mqtt';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { clientOptions, targetOf, type Target } from './client-options.js';
import { bridgeClientId } from '../../mqtt/client-ids.js';
import { backOffReconnects, MIN_RECONNECT_MS } from '../../mqtt/reconnect.js';
import type { MqttConfig } from '../../metadata/configs/mqtt.js';
import { connectErrorMessage, notConnected, publishError, reasonText } from './errors.js';
import { loopVerdict } from './loop-guard.js';
import { NoReplayStore } from './no-replay-store.js';
import { mapRecord, type Publish } from './mapping.js';
import { compileTopicTemplate, type TopicTemplate } from './topic-template.js';

/** packet ids are 16 bits; more than this in flight cannot be told apart */
const MAX_IN_FLIGHT = 65_000;
const END_GRACE_MS = 2000;

export interface MqttSinkOptions {
  /** where the source broker's address is read for the loop check when the context has none; process.env by default */
  env?: NodeJS.ProcessEnv;
}

export function createMqttSink(config: MqttConfig, ctx: SinkContext, options: MqttSinkOptions = {}): ConnectorSink {
  return new MqttBridgeSink(config, ctx, options.env ?? process.env);
}

class MqttBridgeSink implements ConnectorSink {
  private client?: MqttClient;
  /** fails one in-flight publish; all of them are failed when the connection drops */
  private readonly inFlight = new Set<(e: SinkError) => void>();
  private lastError: string | null = null;
  private receiveMaximum = MAX_IN_FLIGHT;
  private maxPacketBytes: number | undefined;
  private parsed?: { target: Target; template: TopicTemplate };

  constructor(
    private readonly cfg: MqttConfig,
    private readonly ctx: SinkContext,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  // parsed on first use, so that a bad value surfaces from validate() with its message
  private get target(): Target {
    return this.parse().target;
  }

  private get template(): TopicTemplate {
    return this.parse().template;
  }

  private parse(): { target: Target; template: TopicTemplate } {
    this.parsed ??= { target: targetOf(this.cfg), template: compileTopicTemplate(this.cfg.topic_prefix, this.cfg.topic_template) };
    return this.parsed;
  }

  private get clientId(): string {
    return bridgeClientId(this.cfg.client_id_prefix, this.ctx.tenant, this.ctx.connectorName, this.cfg.protocol_version);
  }

  async validate(): Promise<void> {
    const target = this.target;
    const verdict = loopVerdict(target.url, this.template, this.env, target.label, this.ctx.sourceBrokerUrl);
    if (verdict.kind === 'refuse') throw SinkError.permanent(`mqtt sink: refusing a loop: ${verdict.message}`);
    const probe = mqtt.connect(target.url, clientOptions(this.cfg, this.clientId));
    try {
      await firstConnect(probe, target, this.cfg.connect_timeout_secs);
    } finally {
      await endClient(probe);
    }
  }

  async init(): Promise<void> {
    if (this.client) return;
    const target = this.target;
    const verdict = loopVerdict(target.url, this.template, this.env, target.label, this.ctx.sourceBrokerUrl);
    if (verdict.kind !== 'none') this.ctx.log('warn', `mqtt sink: ${verdict.message}`);
    const client = mqtt.connect(target.url, {
      ...clientOptions(this.cfg, this.clientId),
      reconnectPeriod: MIN_RECONNECT_MS,
      // a refused CONNACK (broker starting, credentials being rotated) must not end the retries
      reconnectOnConnackError: true,
      outgoingStore: new NoReplayStore(),
    });
    backOffReconnects(client);
    this.watch(client, target);
    try {
      await firstConnect(client, target, this.cfg.connect_timeout_secs);
    } catch (e) {
      await endClient(client);
      throw startFailure(e);
    }
    this.client = client;
    this.ctx.log('info', 'mqtt sink connected', { target: target.label, client_id: this.clientId, protocol: this.cfg.protocol_version, qos: this.cfg.qos });
  }

  private watch(client: MqttClient, target: Target): void {
    let connected = false;
    client.on('connect', (connack: IConnackPacket) => {
      if (!connected && this.client === client) this.ctx.log('info', 'mqtt sink reconnected', { target: target.label });
      connected = true;
      this.lastError = null;
      this.receiveMaximum = Math.min(MAX_IN_FLIGHT, connack.properties?.receiveMaximum ?? MAX_IN_FLIGHT);
      this.maxPacketBytes = connack.properties?.maximumPacketSize;
    });
    client.on('close', () => {
      this.failInFlight(notConnected(`connection to ${target.label} lost before the broker acknowledged the message${this.lastError ? ` (${this.lastError})` : ''}`));
      if (connected && this.client === client) this.ctx.log('warn', 'mqtt sink disconnected, reconnecting in the background', { target: target.label, error: this.lastError });
      connected = false;
    });
    client.on('error', (err: Error) => {
      const message = connectErrorMessage(err, target, this.cfg.connect_timeout_secs);
      if (message !== this.lastError && this.client === client) this.ctx.log('warn', `mqtt sink: ${message}`);
      this.lastError = message;
    });
    client.on('disconnect', (packet: IDisconnectPacket) => {
      const code = packet.reasonCode ?? 0;
      // two clients with one id push each other off, over and over
      const hint = code === 0x8e ? `; another client connected with the client id ${this.clientId}, which must be unique on the target` : '';
      this.lastError = `${target.label} sent DISCONNECT: ${reasonText(code)}${hint}`;
      this.ctx.log('warn', `mqtt sink: ${this.lastError}`);
    });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const client = this.client;
    if (!client) throw notStarted('mqtt');
    if (records.length === 0) return { failed: [] };
    const label = this.target.label;
    if (!client.connected) throw notConnected(`not connected to ${label}${this.lastError ? ` (${this.lastError})` : ''}`);
    const settings = { template: this.template, qos: this.cfg.qos as 0 | 1 | 2 /* the schema bounds it to 0–2 */, retain: this.cfg.retain, v5: this.cfg.protocol_version === 'v5', maxPacketBytes: this.maxPacketBytes };
    const now = Date.now();
    const batch = mapBatch(records, (record) => mapRecord(record, settings, now));
    const publishes = batch.items;
    const failed: BatchResult['failed'] = [];
    // every publish in flight at once, within the target's flow-control window
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < publishes.length) {
        const index = next++;
        const error = await this.publishOne(client, publishes[index] as Publish, label);
        if (error) failed.push({ index, error });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.receiveMaximum, publishes.length) }, worker));
    return batchResult(batch, failed);
  }

  private publishOne(client: MqttClient, p: Publish, label: string): Promise<SinkError | undefined> {
    // checked per publish: mqtt.js would otherwise park a QoS 1/2 publish in its offline store
    if (!client.connected || client.disconnecting) return Promise.resolve(notConnected(`not connected to ${label}${this.lastError ? ` (${this.lastError})` : ''}`));
    return new Promise((resolve) => {
      const settle = (e?: SinkError): void => {
        if (!this.inFlight.delete(settle)) return;
        resolve(e);
      };
      this.inFlight.add(settle);
      client.publish(p.topic, p.payload, p.options, (err) => settle(err ? publishError(err, p.topic, label) : undefined));
    });
  }

  private failInFlight(error: SinkError): void {
    for (const fail of [...this.inFlight]) fail(error);
  }

  async cleanup(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.failInFlight(notConnected('mqtt sink closed'));
    if (client) await endClient(client);
  }
}

/** Resolves on the first CONNACK that accepts; rejects with a clear message on the first failure. */
function firstConnect(client: MqttClient, target: Target, timeoutSecs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError: string | undefined;
    const done = (err?: string): void => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
      if (err === undefined) resolve();
      else reject(new Error(`mqtt sink: ${err}`));
    };
    const onConnect = (): void => done();
    const onError = (e: Error): void => {
      lastError = connectErrorMessage(e, target, timeoutSecs);
      // a refused CONNACK or a failed socket ends this attempt; 'close' follows, but answer now
      done(lastError);
    };
    const onClose = (): void => done(lastError ?? `cannot reach ${target.label}: connection closed before CONNACK`);
    // mqtt.js's connectTimeout covers socket + CONNACK; this is only a safety net
    const timer = setTimeout(() => done(`cannot reach ${target.label}: no answer to CONNECT within ${timeoutSecs} s`), timeoutSecs * 1000 + 1000);
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** Ends a client: a DISCONNECT when it is connected (bounded wait), then the socket. */
async function endClient(client: MqttClient): Promise<void> {
  client.on('error', () => undefined);
  if (client.connected) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.endAsync(false).catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, END_GRACE_MS)))]);
    clearTimeout(timer);
  }
  await client.endAsync(true).catch(() => undefined);
}
