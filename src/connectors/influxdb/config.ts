// The influxdb sink's typed config, read from an already validated and defaulted config object
// (src/metadata/configs/influxdb.ts is the single source of its fields and rules).
export type Precision = 'ns' | 'us' | 'ms' | 's';

export interface InfluxSinkConfig {
  server: string;
  version: 'v1' | 'v2';
  measurement: string;
  token: string;
  org: string;
  bucket: string;
  database: string;
  username: string;
  password: string;
  precision: Precision;
  /** tag name → template (`${topic}`, `${topic[N]}`) */
  tags: Record<string, string>;
  tag_fields: string[];
  timeout_secs: number;
}

const PRECISIONS: readonly Precision[] = ['ns', 'us', 'ms', 's'];

export function influxConfigFrom(raw: Record<string, unknown>): InfluxSinkConfig {
  const str = (key: string, fallback = ''): string => (typeof raw[key] === 'string' ? (raw[key] as string) : fallback);
  if (str('server') === '') throw new Error('influxdb sink: server is required');
  if (str('measurement') === '') throw new Error('influxdb sink: measurement is required');
  const version = str('version', 'v2');
  if (version !== 'v1' && version !== 'v2') throw new Error(`influxdb sink: unknown version ${version}`);
  const precision = str('precision', 'ms') as Precision;
  if (!PRECISIONS.includes(precision)) throw new Error(`influxdb sink: unknown precision ${precision}`);
  const tags: Record<string, string> = {};
  if (typeof raw.tags === 'object' && raw.tags !== null) {
    for (const [k, v] of Object.entries(raw.tags)) if (typeof v === 'string') tags[k] = v;
  }
  const tagFields = Array.isArray(raw.tag_fields) ? raw.tag_fields.filter((f): f is string => typeof f === 'string') : [];
  return {
    server: str('server'),
    version,
    measurement: str('measurement'),
    token: str('token'),
    org: str('org'),
    bucket: str('bucket'),
    database: str('database'),
    username: str('username'),
    password: str('password'),
    precision,
    tags,
    tag_fields: tagFields,
    timeout_secs: typeof raw.timeout_secs === 'number' ? raw.timeout_secs : 15,
  };
}
