import Type, { type Static } from 'typebox';
import type { FieldError } from '../../errors.js';
import type { ConnectorType } from '../connector-type.js';
import { HttpUrl, NoEffect, Password, Secret, Template, templateFieldErrors, TimeoutSecs, tlsPairErrors, TlsFields, Username } from '../schema-kit.js';
import { compileTemplate, fixedText } from '../template.js';

/** What Elasticsearch (and OpenSearch) refuse in an index name besides upper case. */
export const INDEX_FORBIDDEN = /[\\/*?"<>| ,#:]/;

export const elasticsearchSchema = Type.Object(
  {
    url: HttpUrl('Elasticsearch (or OpenSearch) address, with a path prefix when a proxy serves it under one; batches go to `<url>/_bulk`.', ['http://localhost:9200']),
    index: Template({
      minLength: 1, maxLength: 256,
      description: 'Index to write into; a template (see Templates), e.g. `mqtt-${topic[0]}`: what a variable puts in is lower-cased (index names are lower case). A record whose index name comes out invalid fails alone (permanent).',
      examples: ['mqtt_messages'],
    }),
    auth_type: Type.Enum(['none', 'basic', 'apikey'], { default: 'none', description: '`none`; `basic`: `username` and `password`; `apikey`: `api_key`, sent as `Authorization: ApiKey <api_key>`.' }),
    username: Type.Optional(Username({ description: 'User name (`auth_type: basic`; kept but not sent with another auth_type, as are `password` and `api_key`).' })),
    password: Type.Optional(Password({ description: 'Password of `username` (`auth_type: basic`).' })),
    api_key: Type.Optional(Secret({ description: 'API key (`auth_type: apikey`): the base64 `encoded` value Elasticsearch returns when it creates a key (base64 of `id:api_key`).' })),
    ...TlsFields,
    enable_tls: Type.Boolean({ default: false, description: 'Connect with TLS. An `https://` url always does; true makes an `http://` url connect with TLS too.' }),
    ca_cert_path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'RobustMQ\'s name for the CA: a PEM file read when the sink starts, under the same rule as `${file:…}` references (inside SLUICE_SECRET_DIR). Same as `tls_ca: ${file:<path>}`; set one of the two.', examples: ['/etc/certs/ca.crt'] })),
    timeout_secs: TimeoutSecs({ default: 30, description: 'Longest wait for one request (a bulk write or the start-up probe), in seconds; then the target counts as unavailable.' }),
    max_retries: NoEffect(Type.Integer({ minimum: 0, maximum: 10, default: 3 }), 'The sink writes once; the connector\'s failure strategy (`retry_total_times`) decides the retries.'),
  },
  {
    additionalProperties: false,
    // whole configs: the first is the smallest valid one; together they set every secret field (tests derive their fixtures from them)
    examples: [
      { url: 'http://localhost:9200', index: 'mqtt_messages' },
      { url: 'http://localhost:9200', index: 'mqtt-${topic[0]}', auth_type: 'basic', username: 'elastic', password: '${env:SLUICE_SECRET_ES_PASSWORD}' },
      { url: 'https://es.example.com:9200', index: 'mqtt_secure', auth_type: 'apikey', api_key: '${env:SLUICE_SECRET_ES_API_KEY}', timeout_secs: 60 },
      // every secret at once: with auth_type basic the api_key is kept but not sent
      { url: 'https://es.example.com:9200', index: 'mqtt_secure', auth_type: 'basic', username: 'sluice', password: '${env:SLUICE_SECRET_ES_PASSWORD}', api_key: '${env:SLUICE_SECRET_ES_API_KEY}', tls_ca: '${file:/run/secrets/es-ca.pem}', tls_cert: '${file:/run/secrets/es.crt}', tls_key: '${file:/run/secrets/es.key}' },
    ],
  },
);

export type ElasticsearchConfig = Static<typeof elasticsearchSchema>;

function indexErrors(index: string): FieldError[] {
  const errors = templateFieldErrors('index', index);
  if (errors.length > 0) return errors;
  const fixed = fixedText(compileTemplate(index));
  if (fixed !== fixed.toLowerCase()) errors.push({ path: 'index', rule: 'must be lower case (Elasticsearch refuses upper-case index names)' });
  if (INDEX_FORBIDDEN.test(fixed)) errors.push({ path: 'index', rule: 'must not contain \\ / * ? " < > | space , # or :' });
  if (/^[-_+]/.test(index)) errors.push({ path: 'index', rule: 'must not start with -, _ or +' });
  if (index === '.' || index === '..') errors.push({ path: 'index', rule: 'must not be . or ..' });
  return errors;
}

export const elasticsearchType: ConnectorType<typeof elasticsearchSchema> = {
  name: 'elasticsearch',
  title: 'Elasticsearch',
  description: 'Indexes each batch with one _bulk request (Elasticsearch or OpenSearch), _id = the record id (a redelivered record overwrites itself); a JSON object payload is stored as an object, per-document errors become per-record outcomes.',
  loadSink: () => import('../../connectors/elasticsearch/index.js'),
  schema: elasticsearchSchema,
  check(config) {
    const errors: FieldError[] = [...tlsPairErrors(config), ...indexErrors(config.index)];
    if (config.url.length > 512) errors.push({ path: 'url', rule: 'must be at most 512 characters (as RobustMQ)' });
    if (/^https?:\/\/[^/]*@/.test(config.url)) errors.push({ path: 'url', rule: 'must not carry credentials: set auth_type basic with username and password' });
    if (/[?#]/.test(config.url)) errors.push({ path: 'url', rule: 'must not carry a query or fragment (the sink adds /_bulk)' });
    // the credentials of the other auth types may stay set (RobustMQ keeps them too); only auth_type's are sent
    if (config.auth_type === 'basic' && (config.username === undefined || config.username === '')) errors.push({ path: 'username', rule: 'is required when auth_type is basic' });
    if (config.auth_type === 'basic' && config.password === undefined) errors.push({ path: 'password', rule: 'is required when auth_type is basic' });
    if (config.auth_type === 'apikey' && (config.api_key === undefined || config.api_key === '')) errors.push({ path: 'api_key', rule: 'is required when auth_type is apikey' });
    if (config.username !== undefined && config.username.length > 256) errors.push({ path: 'username', rule: 'must be at most 256 characters (as RobustMQ)' });
    if (config.password !== undefined && config.password.length > 256) errors.push({ path: 'password', rule: 'must be at most 256 characters (as RobustMQ)' });
    if (config.ca_cert_path !== undefined && config.tls_ca !== undefined) errors.push({ path: 'ca_cert_path', rule: 'set either ca_cert_path or tls_ca, not both' });
    return errors;
  },
};
