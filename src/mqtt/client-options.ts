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
  };
}
