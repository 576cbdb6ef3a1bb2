// One MQTT subscription per connector, on a persistent session. Each message is appended to the
// journal synchronously inside mqtt.js's handleMessage, so its PUBACK (sent when the callback
// runs) never precedes the journal commit. mqtt.js handles incoming packets one at a time; a
// PUBACK held back stalls the connection, so a full journal drops the connection instead (the
// broker keeps the unacknowledged messages for the session) and reconnects when there is room.
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { SinkRecordProperties } from '../connectors/sink.js';
import type { IncomingMessage } from './journal.js';

export interface BrokerSettings {
  url: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  clientIdPrefix: string;
  sessionExpirySecs: number;
  ca?: string;
  /** client certificate and its key, for a broker that asks for one */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

export type AppendResult = 'ok' | 'full';

export interface SourceOptions {
  broker: BrokerSettings;
  clientId: string;
  topicFilter: string;
  qos: 0 | 1 | 2;
  /** synchronous: returns after the message is durable, or 'full' when it cannot be taken now */
  onMessage: (m: IncomingMessage) => AppendResult;
  /** runs `hook` after the journal's open append group committed (with the error if it failed) */
  afterCommit: (hook: (err?: Error) => void) => void;
  /** true when the journal has room again after being full */
  hasRoom: () => boolean;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

const MIN_RECONNECT_MS = 500;
const MAX_RECONNECT_MS = 30_000;

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

export function clientOptions(b: BrokerSettings, clientId: string, clean: boolean): IClientOptions {
  return {
    clientId,
    protocolVersion: b.protocolVersion,
    clean,
    username: b.username,
    password: b.password,
    reconnectPeriod: MIN_RECONNECT_MS,
    // without it mqtt.js stops reconnecting for good after one refused CONNACK
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: true,
    ca: b.ca,
    cert: b.cert,
    key: b.key,
    rejectUnauthorized: b.rejectUnauthorized,
    ...(b.protocolVersion === 5 && !clean ? { properties: { sessionExpiryInterval: b.sessionExpirySecs } } : {}),
  };
}

export class MqttSource {
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
    const client = mqtt.connect(broker.url, clientOptions(broker, clientId, false));
    this.client = client;
    client.handleMessage = (packet, done) => {
      const m: IncomingMessage = { topic: packet.topic, payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain };
      const props = propsOf(packet);
      if (props) m.properties = props;
      let taken: AppendResult;
      try {
        taken = this.o.onMessage(m);
      } catch (e) {
        // the journal could not take it (disk full, I/O error): no PUBACK, so the broker keeps it
        this.fail('error', `journal append failed: ${(e as Error).message}`);
        taken = 'full';
      }
      if (taken === 'ok') {
        this.holdAcksUntilCommit(client);
        return done();
      }
      // no PUBACK: drop the connection; the broker redelivers from the session when we return
      this.enterFull();
    };
    client.on('connect', (connack) => {
      client.options.reconnectPeriod = MIN_RECONNECT_MS;
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
      if (this.connected) log('warn', 'source disconnected');
      this.connected = false;
      // capped exponential backoff between reconnect attempts
      client.options.reconnectPeriod = Math.min(MAX_RECONNECT_MS, Math.max(MIN_RECONNECT_MS, (client.options.reconnectPeriod ?? MIN_RECONNECT_MS) * 2));
    });
    client.on('error', (err) => {
      this.fail('warn', err.message, `source error: ${err.message}`);
    });
  }

  /**
   * The PUBACKs mqtt.js writes after `done()` stay in the corked socket until the journal's
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
    c?.end(true);
    this.roomTimer = setInterval(() => {
      if (this.stopped || !this.o.hasRoom()) return;
      clearInterval(this.roomTimer);
      this.roomTimer = undefined;
      this.full = false;
      this.o.log('info', 'journal has room again: taking messages');
      this.connect();
    }, 200);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.roomTimer) clearInterval(this.roomTimer);
    this.roomTimer = undefined;
    const c = this.client;
    this.client = undefined;
    this.connected = false;
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}

/** Ends the broker-side session of `clientId` (clean start, then disconnect), e.g. when a connector is deleted. */
export async function discardSession(broker: BrokerSettings, clientId: string): Promise<void> {
  const c = mqtt.connect(broker.url, { ...clientOptions(broker, clientId, true), reconnectPeriod: 0 });
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 5000);
    c.once('connect', () => {
      clearTimeout(t);
      resolve();
    });
    c.once('error', () => {
      clearTimeout(t);
      resolve();
    });
  });
  await c.endAsync(true).catch(() => undefined);
}

/** Unsubscribes `filter` on the session of `clientId` (when a connector's filter changed). */
export async function unsubscribeSession(broker: BrokerSettings, clientId: string, filter: string): Promise<void> {
  const c = mqtt.connect(broker.url, { ...clientOptions(broker, clientId, false), reconnectPeriod: 0 });
  try {
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
    });
    await c.unsubscribeAsync(filter);
  } finally {
    await c.endAsync(true).catch(() => undefined);
  }
}
