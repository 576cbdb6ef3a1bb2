// One MQTT record → one Pulsar message as the WebSocket producer takes it (documented in
// docs/en/connectors/pulsar.md, "Mapping"):
// - topic: the `topic` template rendered by the shared engine; `persistent://tenant/ns/name` (or
//   `non-persistent://`) names tenant and namespace, other text is a name in public/default; in
//   the name every `/` becomes `.`. A variable without a value fails the record (permanent).
// - payload: the raw bytes (base64 in the frame, as the API wants; the broker stores the bytes);
//   key: the `key` template, or none; eventTime: when Sluice received the message.
// - properties: the record id (`sluice_id`, for deduplication) and the MQTT metadata as text, MQTT
//   5 user properties under `mqtt_up_<name>` (a repeated one as a JSON array of its values).
import { compileTemplate, renderTemplate, type Template } from '../../metadata/template.js';
import type { Refusal } from '../batch-mapping.js';
import type { SinkRecord } from '../sink.js';

export const PROPERTY = {
  id: 'sluice_id',
  topic: 'mqtt_topic',
  qos: 'mqtt_qos',
  retain: 'mqtt_retain',
  timestamp: 'mqtt_timestamp',
  contentType: 'mqtt_content_type',
  payloadFormatIndicator: 'mqtt_payload_format_indicator',
  responseTopic: 'mqtt_response_topic',
  correlationData: 'mqtt_correlation_data',
  messageExpiryInterval: 'mqtt_message_expiry_interval',
  userPropertyPrefix: 'mqtt_up_',
} as const;

/** A topic as the WebSocket API's path names it: `persistent/tenant/ns/name`. */
export interface PulsarTopic {
  /** `persistent://tenant/ns/name`, as Pulsar prints it */
  name: string;
  /** the path after `/ws/v2/producer/`, each level URL-encoded */
  path: string;
}

/** What one record becomes: its topic and the ProducerMessage JSON without `context`, serialized once. */
export interface PulsarMessage {
  topic: PulsarTopic;
  /** `{"payload": base64, "properties": {…}, "key"?: …, "eventTime": ISO}` */
  body: string;
}

const NAMED = /^(persistent|non-persistent):\/\/([^/]*)\/([^/]*)\/(.*)$/s;
// Pulsar's rule for tenant and namespace names (NamedEntity)
const ENTITY = /^[-=:.\w]+$/;

/** A rendered topic as a Pulsar topic, or why it is not one. */
export function toTopic(text: string): PulsarTopic | Refusal {
  const shown = text.slice(0, 200);
  let parts = ['persistent', 'public', 'default', text];
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    const m = NAMED.exec(text);
    if (!m) return { error: `topic "${shown}": expected persistent://tenant/namespace/name, non-persistent://tenant/namespace/name or a name` };
    parts = m.slice(1, 5) as string[];
  }
  const [domain, tenant, namespace, rest] = parts as [string, string, string, string];
  if (!ENTITY.test(tenant) || !ENTITY.test(namespace)) return { error: `topic "${shown}": tenant and namespace must be non-empty, of A-Z a-z 0-9 _ - = : .` };
  const local = rest.replaceAll('/', '.');
  if (local === '') return { error: `topic "${shown}": the topic name is empty` };
  return { name: `${domain}://${tenant}/${namespace}/${local}`, path: [domain, tenant, namespace, local].map(encodeURIComponent).join('/') };
}

export class MessageMapper {
  private readonly topic: Template;
  private readonly key?: Template;

  constructor(topic: string, key: string) {
    this.topic = compileTemplate(topic);
    this.key = key === '' ? undefined : compileTemplate(key);
  }

  map(record: SinkRecord): PulsarMessage | Refusal {
    const t = renderTemplate(this.topic, record);
    if ('error' in t) return { error: `topic ${t.error}` };
    const topic = toTopic(t.text);
    if ('error' in topic) return topic;
    let key: string | undefined;
    if (this.key) {
      const k = renderTemplate(this.key, record);
      if ('error' in k) return { error: `key ${k.error}` };
      key = k.text;
    }
    const body = JSON.stringify({ payload: record.payload.toString('base64'), properties: recordProperties(record), key, eventTime: new Date(record.timestamp).toISOString() });
    return { topic, body };
  }
}

/** The frame the WebSocket producer takes for one message; `context` (digits) comes back in its ack. */
export function frame(m: PulsarMessage, context: string): string {
  return `{"context":"${context}",${m.body.slice(1)}`;
}

/** The bytes of a message's frame, with a context of up to 16 digits. */
export function frameBytes(m: PulsarMessage): number {
  return Buffer.byteLength(m.body) + 30;
}

export function recordProperties(r: SinkRecord): Record<string, string> {
  const p: Record<string, string> = {
    [PROPERTY.id]: r.id,
    [PROPERTY.topic]: r.topic,
    [PROPERTY.qos]: String(r.qos),
    [PROPERTY.retain]: String(r.retain),
    [PROPERTY.timestamp]: String(r.timestamp),
  };
  const mp = r.properties;
  if (!mp) return p;
  if (mp.contentType !== undefined) p[PROPERTY.contentType] = mp.contentType;
  if (mp.payloadFormatIndicator !== undefined) p[PROPERTY.payloadFormatIndicator] = mp.payloadFormatIndicator ? '1' : '0';
  if (mp.responseTopic !== undefined) p[PROPERTY.responseTopic] = mp.responseTopic;
  if (mp.correlationData !== undefined) p[PROPERTY.correlationData] = Buffer.from(mp.correlationData).toString('base64');
  if (mp.messageExpiryInterval !== undefined) p[PROPERTY.messageExpiryInterval] = String(mp.messageExpiryInterval);
  for (const [name, value] of Object.entries(mp.userProperties ?? {})) {
    p[PROPERTY.userPropertyPrefix + name] = Array.isArray(value) ? JSON.stringify(value) : value;
  }
  return p;
}

/**
 * The base URLs of the WebSocket API (`ws://host:port[/prefix]`), one per host of a comma-separated
 * list: web_service_url when set, else the server URL; a `pulsar://` server's web service is on the
 * same host at Pulsar's default port (8080, or 8443 for `pulsar+ssl://`).
 */
export function webSocketBases(server: string, webServiceUrl?: string): string[] {
  const m = /^\s*([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]+?)(\/\S*)?\s*$/.exec(webServiceUrl ?? server);
  if (!m) throw new Error(`pulsar: not a URL: ${webServiceUrl ?? server}`);
  const scheme = (m[1] as string).toLowerCase();
  const binary = scheme.startsWith('pulsar');
  const tls = scheme === 'https' || scheme === 'wss' || scheme === 'pulsar+ssl';
  const prefix = binary ? '' : (m[3] ?? '').replace(/\/+$/, '');
  return (m[2] as string).split(',').map((h) => h.trim()).filter((h) => h !== '').map((hostPort) => {
    const hp = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(hostPort);
    const host = hp?.[1] ?? hostPort;
    const port = binary ? `:${tls ? 8443 : 8080}` : (hp?.[2] ?? '');
    return `${tls ? 'wss' : 'ws'}://${host}${port}${prefix}`;
  });
}
