// The mqtt.js options of Sluice's own broker connections (the source sessions, the dead-letter
// publisher, session clean-up), from the service's broker settings.
import type { IClientOptions } from 'mqtt';
import type { InProcessBroker } from './in-process-broker.js';
import { MIN_RECONNECT_MS } from './reconnect.js';

export interface BrokerSettings {
  url: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  clientIdPrefix: string;
  sessionExpirySecs: number;
  /** MQTT 5 Receive Maximum the source sessions announce: the broker's in-flight window per session */
  receiveMaximum: number;
  ca?: string;
  /** client certificate and its key, for a broker that asks for one */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  /** set when the broker is the embedded one: sources attach to it in process */
  embedded?: InProcessBroker;
}

// mqtt.js calls its `debug` logger several times per packet, which costs even when no namespace is
// enabled (2–3% of the CPU of a busy connector); it is kept only when DEBUG asks for it
const MQTTJS_DEBUG = /mqttjs|\*/.test(process.env.DEBUG ?? '');
const silent = (): void => undefined;

export function brokerClientOptions(b: BrokerSettings, clientId: string, clean: boolean): IClientOptions {
  const v5 = b.protocolVersion === 5;
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
    ...(v5 ? { properties: { receiveMaximum: b.receiveMaximum, ...(clean ? {} : { sessionExpiryInterval: b.sessionExpirySecs }) } } : {}),
    ...(MQTTJS_DEBUG ? {} : { log: silent }),
  };
}
