// The mqtt.js options the `mqtt` bridge's config turns into: the target URL
// (TLS switched on by `enable_tls` or by an mqtts/wss scheme), the protocol version, credentials,
// certificates and the client id.
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../../metadata/configs/mqtt.js';
import { DEFAULT_PORTS, isTlsScheme, TLS_SCHEME_OF } from '../../mqtt/broker-url.js';

export interface Target {
  /** the URL handed to mqtt.js (TLS scheme applied; may still carry userinfo) */
  url: string;
  /** `host:port`, for messages and logs: never credentials, path or query */
  label: string;
  host: string;
  port: number;
  tls: boolean;
}

/** The Paho URI schemes RobustMQ documents, as the schemes mqtt.js knows. */
const PAHO_SCHEMES: Record<string, string> = { 'tcp://': 'mqtt://', 'ssl://': 'mqtts://' };

function withMqttScheme(server: string): string {
  const paho = Object.keys(PAHO_SCHEMES).find((s) => server.slice(0, s.length).toLowerCase() === s);
  return paho ? `${PAHO_SCHEMES[paho] as string}${server.slice(paho.length)}` : server;
}

export function targetOf(cfg: MqttConfig): Target {
  let u: URL;
  try {
    u = new URL(withMqttScheme(cfg.server));
  } catch {
    throw new Error('mqtt sink: server is not a valid URL');
  }
  const known = DEFAULT_PORTS[u.protocol];
  if (known === undefined) throw new Error(`mqtt sink: server must be an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL, got ${u.protocol}//`);
  if (u.hostname === '') throw new Error('mqtt sink: server has no host');
  const tlsProtocol = TLS_SCHEME_OF[u.protocol];
  if (cfg.enable_tls && tlsProtocol) u.protocol = tlsProtocol;
  const port = u.port ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? known);
  return { url: u.href, label: `${u.hostname}:${port}`, host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, tls: isTlsScheme(u.protocol) };
}

/** mqtt.js options shared by the probe of validate() and the long-lived client of init(). */
export function clientOptions(cfg: MqttConfig, clientId: string): IClientOptions {
  const version = cfg.protocol_version === 'v3' ? 3 : cfg.protocol_version === 'v4' ? 4 : 5;
  const o: IClientOptions = {
    clientId,
    protocolVersion: version,
    protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
    // nothing lives in a session on the target: the journal is the buffer, not the broker
    clean: true,
    keepalive: cfg.keepalive_secs,
    connectTimeout: cfg.connect_timeout_secs * 1000,
    reconnectPeriod: 0,
    resubscribe: false,
    // never queue while offline: sendBatch fails fast and the core keeps the records
    queueQoSZero: false,
    rejectUnauthorized: !cfg.tls_insecure_skip_verify,
  };
  if (cfg.username !== undefined && cfg.username !== '') o.username = cfg.username;
  if (cfg.password !== undefined) o.password = cfg.password;
  if (cfg.tls_ca) o.ca = cfg.tls_ca;
  if (cfg.tls_cert) o.cert = cfg.tls_cert;
  if (cfg.tls_key) o.key = cfg.tls_key;
  return o;
}
