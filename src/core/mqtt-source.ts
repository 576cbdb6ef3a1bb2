// One MQTT subscription per connector, on a persistent session. QoS 1: each message is appended
// to the journal synchronously inside mqtt.js's handleMessage, and its PUBACK (written when the
// callback runs) is held in the corked socket until the journal group commits. QoS 2: the
// message is journaled when mqtt.js stores it, before PUBREC (journaling-incoming-store.ts).
// mqtt.js handles incoming packets one at a time; an acknowledgement held back stalls the
// connection, so a full journal ends the connection instead (the broker keeps the
// unacknowledged messages for the session) and reconnects when there is room. Whenever a client
// is ended, the open group is committed first and the acknowledgements it holds are flushed
// with a clean DISCONNECT, so the broker does not resend what is already journaled.
import mqtt, { type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import type { SinkRecordProperties } from '../connectors/sink.js';
import { brokerClientOptions, type BrokerSettings } from '../mqtt/client-options.js';
import { backOffReconnects } from '../mqtt/reconnect.js';
import { EmbeddedSource } from './embedded-source.js';
import type { IncomingMessage } from './journal.js';
import { JournalingIncomingStore } from './journaling-incoming-store.js';
import type { Qos2Receipts } from './qos2-receipts.js';

export type { BrokerSettings } from '../mqtt/client-options.js';

export type AppendResult = 'ok' | 'full';

export interface SourceOptions {
  broker: BrokerSettings;
  clientId: string;
  topicFilter: string;
  qos: 0 | 1 | 2;
  /** synchronous: returns after the message is appended (durable once the group commits), or 'full' */
  onMessage: (m: IncomingMessage) => AppendResult;
  /** runs `hook` after the journal's open append group committed (with the error if it failed) */
  afterCommit: (hook: (err?: Error) => void) => void;
  /** commits the journal's open append group now */
  commitNow: () => void;
  /** true when the journal has room again after being full */
  hasRoom: () => boolean;
  /** the QoS 2 packet ids received on this connector's session */
  receipts: Qos2Receipts;
  /** counts `n` messages received but not journaled (held QoS 0 beyond the embedded broker's bound) */
  countDropped: (n: number) => void;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** What the runtime sees of a source, whichever broker it takes messages from. */
export interface MqttSource {
  readonly connected: boolean;
  readonly journalFull: boolean;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  start(): void;
  stop(): Promise<void>;
}

/** The source of a connector: in process on the embedded broker, else a broker session over the network. */
export function openSource(o: SourceOptions): MqttSource {
  return o.broker.embedded ? new EmbeddedSource(o, o.broker.embedded) : new BrokerSource(o);
}

/** a clean DISCONNECT waits at most this long for the socket to drain before it is destroyed */
const END_GRACE_MS = 2000;

function propsOf(packet: IPublishPacket): SinkRecordProperties | undefined {
  const p = packet.properties;
  if (!p) return undefined;
  const out: SinkRecordProperties = {};
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) out.correlationData = Buffer.from(p.correlationData);
  if (p.userProperties !== undefined) out.userProperties = p.userProperties as Record<string, string | string[]>;
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval;
  return Object.keys(out).length ? out : undefined;
}

function messageOf(packet: IPublishPacket): IncomingMessage {
  const m: IncomingMessage = { topic: packet.topic, payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain };
  const props = propsOf(packet);
  if (props) m.properties = props;
  return m;
}

class BrokerSource implements MqttSource {
  private client?: MqttClient;
  private stopped = false;
  private full = false;
  private corked = false;
  private roomTimer?: NodeJS.Timeout;
  connected = false;
  lastError: string | null = null;
  lastErrorAt: number | null = null;

  constructor(private readonly o: SourceOptions) {}

  get journalFull(): boolean {
    return this.full;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  private connect(): void {
    const { broker, clientId, topicFilter, qos, log } = this.o;
    const incomingStore = new JournalingIncomingStore({
      receipts: this.o.receipts,
      journal: (packet: IPublishPacket): AppendResult => this.take(client, packet),
      holdAcks: (): void => this.holdAcksUntilCommit(client),
    });
    const client: MqttClient = mqtt.connect(broker.url, { ...brokerClientOptions(broker, clientId, false), incomingStore });
    this.client = client;
    tolerateInboundQos2Overshoot(client);
    backOffReconnects(client);
    client.on('packetreceive', (packet: Packet) => {
      // a broker without our session has forgotten every QoS 2 exchange: no id is a resend any more
      if (packet.cmd === 'connack' && !packet.sessionPresent) this.o.receipts.clear();
    });
    client.handleMessage = (packet, done) => {
      // a client being ended takes nothing more: what it has not acknowledged, the broker resends
      if (this.client !== client) return;
      if (packet.qos === 2) {
        // PUBREL of a journaled QoS 2 message: forget its id (committed before PUBCOMP leaves)
        this.o.receipts.remove(packet.messageId as number);
        this.holdAcksUntilCommit(client);
        return done();
      }
      if (this.take(client, packet) === 'ok') {
        this.holdAcksUntilCommit(client);
        return done();
      }
    };
    client.on('connect', (connack) => {
      // subscribing again on a present session is harmless and covers a changed filter or QoS
      client.subscribe(topicFilter, { qos }, (err, granted) => {
        if (err) {
          this.fail('error', `subscribe ${topicFilter} failed: ${err.message}`);
        } else if (granted?.some((g) => g.qos === 128)) {
          this.fail('error', `broker refused the subscription to ${topicFilter}`);
        } else if (this.client === client) {
          // connected means subscribed: nothing published from here on is missed
          this.connected = true;
        }
      });
      log('info', 'source connected', { sessionPresent: connack.sessionPresent });
    });
    client.on('close', () => {
      // a client being ended closes late (clean DISCONNECT): its successor may be connected by then
      if (this.client !== client) return;
      if (this.connected) log('warn', 'source disconnected');
      this.connected = false;
    });
    client.on('error', (err) => {
      this.fail('warn', err.message, `source error: ${err.message}`);
    });
  }

  /** Journals one message; on 'full' (or a failed append) no acknowledgement leaves and the connection is dropped. */
  private take(client: MqttClient, packet: IPublishPacket): AppendResult {
    if (this.client !== client) return 'full';
    let taken: AppendResult;
    try {
      taken = this.o.onMessage(messageOf(packet));
    } catch (e) {
      // the journal could not take it (disk full, I/O error): no PUBACK, so the broker keeps it
      this.fail('error', `journal append failed: ${(e as Error).message}`);
      taken = 'full';
    }
    if (taken === 'full') this.enterFull();
    return taken;
  }

  /**
   * The acknowledgements mqtt.js writes after this stay in the corked socket until the journal's
   * group transaction has committed; if the commit fails they are never sent.
   */
  private holdAcksUntilCommit(client: MqttClient): void {
    if (this.corked) return;
    const stream = client.stream;
    stream.cork();
    this.corked = true;
    this.o.afterCommit((err) => {
      this.corked = false;
      if (err) {
        this.fail('error', `journal commit failed: ${err.message}`);
        // rolled back: QoS 2 ids added or removed with it are as before in the file, so in memory too
        this.o.receipts.reload();
        stream.destroy();
      } else stream.uncork();
    });
  }

  /** Remembers an error for the status (with its time) and logs it. */
  private fail(level: 'warn' | 'error', message: string, logLine = message): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
    this.o.log(level, logLine);
  }

  private enterFull(): void {
    if (this.full) return;
    this.full = true;
    this.o.log('warn', 'journal full: stopped taking messages until the sink catches up');
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    if (c) void this.endFlushed(c);
    this.roomTimer = setInterval(() => {
      if (this.stopped || !this.o.hasRoom()) return;
      clearInterval(this.roomTimer);
      this.roomTimer = undefined;
      this.full = false;
      this.o.log('info', 'journal has room again: taking messages');
      this.connect();
    }, 200);
  }

  /**
   * Ends a client without throwing away an acknowledgement: the open journal group is committed
   * (which uncorks the socket with its PUBACKs/PUBRECs/PUBCOMPs), then a DISCONNECT is queued
   * behind them and the socket is ended, so everything written reaches the broker.
   */
  private async endFlushed(c: MqttClient): Promise<void> {
    c.options.reconnectPeriod = 0;
    this.o.commitNow();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([c.endAsync(false).then(() => true, () => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), END_GRACE_MS)))]);
    clearTimeout(timer);
    if (!ended) c.stream.destroy();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.roomTimer) clearInterval(this.roomTimer);
    this.roomTimer = undefined;
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    if (c) await this.endFlushed(c);
  }
}

/**
 * mqtt.js drops the connection when more inbound QoS 2 exchanges are open than the Receive
 * Maximum it announced. Mosquitto exceeds it by a few after a session resumes (it resends PUBREL
 * for the exchanges of the killed process and fills its quota anew), and since mqtt.js keeps its
 * count across reconnects the connection then drops over and over. Losslessness does not depend
 * on that check (the journal's receipts track every open exchange), so it is relaxed to tracking.
 */
function tolerateInboundQos2Overshoot(client: MqttClient): void {
  const internals = client as unknown as { _trackIncomingQoS2Publish?: (id: number) => boolean; _incomingQoS2Ids?: Set<number> };
  if (typeof internals._trackIncomingQoS2Publish !== 'function' || !(internals._incomingQoS2Ids instanceof Set)) return;
  const ids = internals._incomingQoS2Ids;
  internals._trackIncomingQoS2Publish = (id: number): boolean => {
    ids.add(id);
    return true;
  };
}

async function connectOnce(broker: BrokerSettings, clientId: string, clean: boolean): Promise<MqttClient> {
  const c = mqtt.connect(broker.url, { ...brokerClientOptions(broker, clientId, clean), reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connect timeout')), 5000);
    c.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
    c.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  }).catch(async (e: unknown) => {
    await c.endAsync(true).catch(() => undefined);
    throw e;
  });
  return c;
}

/** Ends the broker-side session of `clientId` (clean start, then disconnect), e.g. when a connector is deleted. */
export async function discardSession(broker: BrokerSettings, clientId: string): Promise<void> {
  if (broker.embedded) return broker.embedded.discard(clientId);
  const c = await connectOnce(broker, clientId, true).catch(() => undefined);
  await c?.endAsync(true).catch(() => undefined);
}

/** Unsubscribes `filter` on the session of `clientId` (when a connector's filter changed). */
export async function unsubscribeSession(broker: BrokerSettings, clientId: string, filter: string): Promise<void> {
  // an in-process session takes its new filter when the source attaches again
  if (broker.embedded) return;
  const c = await connectOnce(broker, clientId, false);
  try {
    await c.unsubscribeAsync(filter);
  } finally {
    await c.endAsync(true).catch(() => undefined);
  }
}
