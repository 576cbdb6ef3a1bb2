// MQTT 5 properties <-> the JSON kept beside a journal row.
import type { SinkRecordProperties } from '../connectors/sink.js';

interface StoredProps {
  contentType?: string;
  payloadFormatIndicator?: boolean;
  responseTopic?: string;
  correlationData?: string;
  userProperties?: Record<string, string | string[]>;
  messageExpiryInterval?: number;
}

export function encodeProps(p: SinkRecordProperties | undefined): string | null {
  if (!p || Object.keys(p).length === 0) return null;
  const s: StoredProps = { ...p, correlationData: p.correlationData?.toString('base64') };
  if (s.correlationData === undefined) delete s.correlationData;
  return JSON.stringify(s);
}

export function decodeProps(raw: string | null): SinkRecordProperties | undefined {
  if (!raw) return undefined;
  const s = JSON.parse(raw) as StoredProps;
  const { correlationData, ...rest } = s;
  return correlationData === undefined ? rest : { ...rest, correlationData: Buffer.from(correlationData, 'base64') };
}
