// Trying a transform on sample messages without a sink: each input beside what it becomes
// (the records that would be sent, filtered, or the error that would fail it).
import { isUtf8 } from 'node:buffer';
import type { SinkRecord } from '../../connectors/sink.js';
import type { Transform } from '../../metadata/transform.js';
import { compileTransform } from './pipeline.js';

export interface SampleMessage {
  topic: string;
  payload: string;
  payload_encoding: 'utf8' | 'base64';
  qos: 0 | 1 | 2;
  retain: boolean;
  /** ms since the epoch: when Sluice received it (or, in an output, what the map made of it) */
  timestamp: number;
  user_properties?: Record<string, string | string[]>;
}

export interface TransformTrial {
  input: SampleMessage;
  outcome: 'sent' | 'filtered' | 'failed';
  /** what the sink would receive (several records when an ETL rule splits the message) */
  output: SampleMessage[];
  error?: string;
}

export function sampleOf(r: SinkRecord): SampleMessage {
  const text = isUtf8(r.payload);
  const payload = r.payload.toString(text ? 'utf8' : 'base64');
  const encoding: SampleMessage['payload_encoding'] = text ? 'utf8' : 'base64';
  const up = r.properties?.userProperties;
  return { topic: r.topic, payload, payload_encoding: encoding, qos: r.qos, retain: r.retain, timestamp: r.timestamp, ...(up && Object.keys(up).length > 0 ? { user_properties: up } : {}) };
}

/** A sample message as the record the transform sees (id and offset made up, stable per index). */
export function recordOf(m: Partial<SampleMessage> & { topic: string; payload: string }, index: number, now: number): SinkRecord {
  return {
    id: `trial-${index}`,
    offset: index + 1,
    topic: m.topic,
    payload: Buffer.from(m.payload, m.payload_encoding === 'base64' ? 'base64' : 'utf8'),
    qos: m.qos ?? 1,
    retain: m.retain ?? false,
    timestamp: m.timestamp ?? now,
    ...(m.user_properties ? { properties: { userProperties: m.user_properties } } : {}),
  };
}

export async function tryTransform(t: Transform, records: readonly SinkRecord[]): Promise<TransformTrial[]> {
  const compiled = compileTransform(t);
  const out: TransformTrial[] = [];
  for (const r of records) {
    const input = sampleOf(r);
    try {
      const o = await compiled.apply(r);
      if (o.kind === 'filtered' || o.records.length === 0) out.push({ input, outcome: 'filtered', output: [] });
      else out.push({ input, outcome: 'sent', output: o.records.map(sampleOf) });
    } catch (e) {
      out.push({ input, outcome: 'failed', output: [], error: (e as Error).message });
    }
  }
  return out;
}
