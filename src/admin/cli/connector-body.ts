// Turns `connector create|update` flags (and an optional -f file) into the request body of
// POST, PUT or PATCH /api/v1/connectors. The server validates; this only assembles.
import { UsageError } from './cli-errors.js';
import { isPlainObject, parseJsonObjectFlag, readObjectFile } from './input.js';

export { FAILURE_STRATEGIES as STRATEGIES } from '../../metadata/failure-strategy.js';

export interface DefinitionFlags {
  file?: string;
  tenant?: string;
  name?: string;
  type?: string;
  topic?: string;
  config?: string;
  transform?: string;
  strategy?: string;
  retries?: number;
  waitMs?: number;
  dlqTopic?: string;
  description?: string;
  paused?: boolean;
  running?: boolean;
  revision?: number;
}

type Body = Record<string, unknown>;

// Fields a read returns that a write does not take: a `connector get --json` file can be sent back.
/** what reads add to a definition: never sent back (`state` is the live state) */
const READ_ONLY_FIELDS = ['created_at', 'updated_at', 'state'];

function fromFile(path: string, keepRevision: boolean): Body {
  const body = readObjectFile(path);
  for (const f of READ_ONLY_FIELDS) delete body[f];
  if (!keepRevision) delete body.revision;
  return body;
}

/** The config of a file as an object: RobustMQ-style files may hold it as a JSON string. */
export function fileConfig(value: unknown, path: string | undefined): Body {
  if (value === undefined || value === null) return {};
  if (isPlainObject(value)) return value;
  if (typeof value === 'string') return parseJsonObjectFlag(value, `-f ${path ?? ''}: config`);
  throw new UsageError(`-f ${path ?? ''}: config must be an object (or a string holding a JSON object)`);
}

function strategyFields(flags: DefinitionFlags): Body {
  const s: Body = {};
  if (flags.strategy !== undefined) s.strategy = flags.strategy;
  if (flags.retries !== undefined) s.retry_total_times = flags.retries;
  if (flags.waitMs !== undefined) s.wait_time_ms = flags.waitMs;
  if (flags.dlqTopic !== undefined) s.topic_name = flags.dlqTopic;
  return s;
}

function desiredState(flags: DefinitionFlags): string | undefined {
  if (flags.paused && flags.running) throw new UsageError('--paused and --running exclude each other');
  if (flags.paused) return 'paused';
  if (flags.running) return 'running';
  return undefined;
}

/** Applies the flags that were given on top of `base` (a file's body, or nothing). */
function overlay(base: Body, flags: DefinitionFlags): Body {
  const body: Body = { ...base };
  if (flags.tenant !== undefined) body.tenant = flags.tenant;
  if (flags.name !== undefined) body.name = flags.name;
  if (flags.type !== undefined) body.type = flags.type;
  if (flags.topic !== undefined) body.topic_filter = flags.topic;
  if (flags.config !== undefined) body.config = { ...fileConfig(base.config, flags.file), ...parseJsonObjectFlag(flags.config, '--config') };
  // `null` removes the transform (update)
  if (flags.transform !== undefined) body.transform = flags.transform.trim() === 'null' ? null : parseJsonObjectFlag(flags.transform, '--transform');
  const strategy = strategyFields(flags);
  if (Object.keys(strategy).length > 0) {
    const fileStrategy = isPlainObject(base.failure_strategy) ? base.failure_strategy : {};
    body.failure_strategy = { ...fileStrategy, ...strategy };
  }
  const desired = desiredState(flags);
  if (desired !== undefined) body.desired_state = desired;
  if (flags.description !== undefined) body.description = flags.description;
  if (flags.revision !== undefined) body.revision = flags.revision;
  return body;
}

/** Body of POST /api/v1/connectors: from -f with flags overriding, or from flags alone. */
export function createBody(flags: DefinitionFlags): Body {
  if (flags.file !== undefined) return overlay(fromFile(flags.file, false), flags);
  const missing = (['name', 'type', 'topic'] as const).filter((f) => flags[f] === undefined).map((f) => `--${f}`);
  if (missing.length > 0) throw new UsageError(`connector create needs ${missing.join(', ')} (or -f <file>)`);
  const body = overlay({}, flags);
  if (body.config === undefined) body.config = {};
  return body;
}

/** Body of PUT /api/v1/connectors/:name: the whole definition from -f, flags overriding. */
export function replaceBody(flags: DefinitionFlags & { file: string }): Body {
  return overlay(fromFile(flags.file, true), flags);
}

/**
 * Body of PATCH /api/v1/connectors/:name: only the fields whose flags were given. The server
 * merges config and failure_strategy key by key, so `--config '{"a":1}'` changes just `a`
 * (and `null` removes a key).
 */
export function patchBody(flags: DefinitionFlags): Body {
  const { tenant: _tenant, name: _name, ...rest } = flags;
  const body = overlay({}, rest);
  const changes = Object.keys(body).filter((k) => k !== 'revision');
  if (changes.length === 0) throw new UsageError('connector update: nothing to change; give -f <file> or at least one of --type, --topic, --config, --transform, --strategy, --retries, --wait-ms, --dlq-topic, --description, --paused, --running');
  return body;
}
