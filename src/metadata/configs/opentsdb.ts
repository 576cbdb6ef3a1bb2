import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, Template, templateFieldErrors, TimeoutSecs } from '../schema-kit.js';

const FieldName = Type.String({ minLength: 1, maxLength: 256 });

export const opentsdbSchema = Type.Object(
  {
    server: HttpUrl('OpenTSDB server address; points go to `<server>/api/put?details`.', ['http://localhost:4242']),
    metric_field: Type.String({ minLength: 1, maxLength: 256, default: 'metric', description: 'JSON payload field holding the metric name (a non-empty string).' }),
    value_field: Type.String({ minLength: 1, maxLength: 256, default: 'value', description: 'JSON payload field holding the value (a number, or a string holding one).' }),
    tags_fields: Type.Array(FieldName, { default: [], maxItems: 64, description: 'Top-level payload fields written as tags. Empty: the payload\'s `tags` object gives the tags.' }),
    tags: Type.Record(Type.String({ pattern: '^[^\\s]{1,256}$' }), Template({ maxLength: 1024, description: 'Tag value template.' }), { default: {}, maxProperties: 64, additionalProperties: Type.Never(), description: 'Sluice: tag name → template (see Templates), added to the payload\'s tags and winning over them, e.g. `${topic[1]}`. `${topic[5]:-}` gives an empty tag (left out).', examples: [{ device: '${topic[1]}' }] }),
    timeout_secs: TimeoutSecs({ default: 30 }),
    max_retries: Type.Integer({ minimum: 0, maximum: 10, default: 3, description: 'Accepted for RobustMQ compatibility, no effect: the sink writes once and the connector\'s failure strategy (`retry_total_times`) decides the retries.' }),
    summary: Type.Boolean({ default: false, description: 'Accepted for RobustMQ compatibility, no effect: every request asks for `details`, which includes the summary.' }),
    details: Type.Boolean({ default: false, description: 'Accepted for RobustMQ compatibility, no effect: every request asks for `details` (per-point outcomes) whatever this says.' }),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one (the type has no secret field)
    examples: [
      { server: 'http://localhost:4242' },
      { server: 'http://opentsdb:4242', metric_field: 'metric', value_field: 'value', tags_fields: ['host', 'region'], tags: { device: '${topic[1]}' }, timeout_secs: 60 },
    ],
  },
);

export type OpentsdbConfig = Static<typeof opentsdbSchema>;

export const opentsdbType: ConnectorType<typeof opentsdbSchema> = {
  name: 'opentsdb',
  title: 'OpenTSDB',
  description: 'Writes each JSON message as an OpenTSDB data point (metric, value, tags, ms timestamp) through HTTP /api/put?details.',
  inFlight: { default: 1, max: 16 },
  loadSink: () => import('../../connectors/opentsdb/index.js'),
  schema: opentsdbSchema,
  check(config) {
    const errors: FieldError[] = [];
    if (/^https?:\/\/[^/]*@/.test(config.server)) errors.push({ path: 'server', rule: 'must not carry credentials (OpenTSDB\'s /api/put takes none)' });
    if (config.server.length > 512) errors.push({ path: 'server', rule: 'must be at most 512 characters (as RobustMQ)' });
    if (/[?#]/.test(config.server)) errors.push({ path: 'server', rule: 'must not carry a query or fragment (the sink adds /api/put?details)' });
    for (const [key, template] of Object.entries(config.tags)) errors.push(...templateFieldErrors(`tags.${key}`, template));
    return errors;
  },
};
