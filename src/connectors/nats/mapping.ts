// One MQTT record → one JetStream message (see docs/en/connectors/nats.md, "Mapping").
//
// - Subject: the `subject` template rendered by the shared engine; then every `/` becomes `.`
//   (MQTT `a/b/c` → `a.b.c`), whitespace, `*` and `>` in a level become `_` (a published subject
//   holds no wildcard), and an empty level (`a//b`, a leading `/`) becomes `_`. A variable
//   without a value fails the record (permanent).
// - Body: the payload bytes untouched. `Nats-Msg-Id` is the record id (set by the sink), so
//   JetStream's duplicate window drops a redelivered record.
// - Headers carry the MQTT metadata. NATS header values cannot hold CR/LF and lose leading and
//   trailing whitespace, so `%`, CR, LF and edge whitespace are percent-encoded: every value
//   reads back exactly with decodeURIComponent.
import { compileTemplate, renderTemplate, type Template } from '../../metadata/template.js';
import { SinkError, type SinkRecord } from '../sink.js';

export const HEADER = {
  topic: 'Mqtt-Topic',
  qos: 'Mqtt-Qos',
  retain: 'Mqtt-Retain',
  timestamp: 'Sluice-Timestamp',
  contentType: 'Content-Type',
  payloadFormatIndicator: 'Mqtt-Payload-Format-Indicator',
  responseTopic: 'Mqtt-Response-Topic',
  correlationData: 'Mqtt-Correlation-Data',
  messageExpiryInterval: 'Mqtt-Message-Expiry-Interval',
  userProperty: 'Mqtt-User-Property',
} as const;

export interface NatsMessage {
  subject: string;
  payload: Uint8Array;
  /** header name → values, in order */
  headers: [string, string][];
}

export class MessageMapper {
  private readonly subject: Template;

  constructor(subject: string) {
    this.subject = compileTemplate(subject);
  }

  message(record: SinkRecord): NatsMessage {
    const rendered = renderTemplate(this.subject, record);
    if ('error' in rendered) throw SinkError.permanent(`nats: subject: ${rendered.error}`);
    return { subject: toSubject(rendered.text), payload: record.payload, headers: headersOf(record) };
  }
}

/** A rendered subject as NATS takes it for a publish. */
export function toSubject(text: string): string {
  return text
    .split(/[./]/)
    .map((level) => (level === '' ? '_' : level.replace(/[\s*>]/g, '_')))
    .join('.');
}

/** A header value that NATS carries unchanged; decodeURIComponent gives the original back. */
export function headerValue(v: string): string {
  const inner = v.replace(/[%\r\n]/g, (c) => encodeURIComponent(c));
  return inner.replace(/^\s+|\s+$/g, (edge) => [...edge].map((c) => encodeURIComponent(c)).join(''));
}

function headersOf(r: SinkRecord): [string, string][] {
  const h: [string, string][] = [
    [HEADER.topic, headerValue(r.topic)],
    [HEADER.qos, String(r.qos)],
    [HEADER.retain, String(r.retain)],
    [HEADER.timestamp, String(r.timestamp)],
  ];
  const p = r.properties;
  if (!p) return h;
  if (p.contentType !== undefined) h.push([HEADER.contentType, headerValue(p.contentType)]);
  if (p.payloadFormatIndicator !== undefined) h.push([HEADER.payloadFormatIndicator, p.payloadFormatIndicator ? '1' : '0']);
  if (p.responseTopic !== undefined) h.push([HEADER.responseTopic, headerValue(p.responseTopic)]);
  if (p.correlationData !== undefined) h.push([HEADER.correlationData, Buffer.from(p.correlationData).toString('base64')]);
  if (p.messageExpiryInterval !== undefined) h.push([HEADER.messageExpiryInterval, String(p.messageExpiryInterval)]);
  for (const [k, values] of Object.entries(p.userProperties ?? {})) {
    for (const v of Array.isArray(values) ? values : [values]) h.push([HEADER.userProperty, `${headerValue(k).replace(/=/g, '%3D')}=${headerValue(v)}`]);
  }
  return h;
}
