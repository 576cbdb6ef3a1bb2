// What a transform expression sees of a record: the payload decoded (JSON when it parses, else
// UTF-8 text, else base64 with `payload_encoding`), the topic and its levels, and the metadata.
import type { SinkRecord } from '../../connectors/sink.js';

export interface RecordView {
  payload: unknown;
  payload_encoding: 'json' | 'utf8' | 'base64';
  topic: string;
  topic_levels: string[];
  qos: number;
  retain: boolean;
  timestamp: number;
  id: string;
  properties: {
    content_type?: string;
    response_topic?: string;
    message_expiry_interval?: number;
    user_properties: Record<string, string | string[]>;
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodePayload(payload: Buffer): Pick<RecordView, 'payload' | 'payload_encoding'> {
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    return { payload: payload.toString('base64'), payload_encoding: 'base64' };
  }
  // only something that can be JSON is parsed: a plain word or number-looking text stays text
  const first = text.trimStart()[0];
  if (first === '{' || first === '[' || first === '"') {
    try {
      return { payload: JSON.parse(text) as unknown, payload_encoding: 'json' };
    } catch {
      // text that merely starts like JSON
    }
  } else if (text !== '' && /^\s*(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)\s*$/.test(text)) {
    return { payload: JSON.parse(text) as unknown, payload_encoding: 'json' };
  }
  return { payload: text, payload_encoding: 'utf8' };
}

export function recordView(r: SinkRecord): RecordView {
  const p = r.properties;
  return {
    ...decodePayload(r.payload),
    topic: r.topic,
    topic_levels: r.topic.split('/'),
    qos: r.qos,
    retain: r.retain,
    timestamp: r.timestamp,
    id: r.id,
    properties: {
      ...(p?.contentType !== undefined ? { content_type: p.contentType } : {}),
      ...(p?.responseTopic !== undefined ? { response_topic: p.responseTopic } : {}),
      ...(p?.messageExpiryInterval !== undefined ? { message_expiry_interval: p.messageExpiryInterval } : {}),
      user_properties: { ...p?.userProperties },
    },
  };
}
