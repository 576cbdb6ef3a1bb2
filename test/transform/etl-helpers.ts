// Shared helpers of the ETL rule engine tests (src/transform/etl).
import assert from 'node:assert/strict';
import { compileEtlRule, EtlError } from '../../src/transform/etl/index.js';

type Format = string | { data_type: string; line_separator?: string | null; token_separator?: string | null; kv_separator?: string | null };

function format(f: Format): object {
  return typeof f === 'string' ? { data_type: f, line_separator: null, token_separator: null, kv_separator: null } : f;
}

/** A rule in RobustMQ's serde shape. With no ops, a no-op Delete keeps it non-empty. */
export function etlRule(decode: Format, ops: unknown[], encode: Format): object {
  return { decode_rule: { Decode: format(decode) }, ops_rule_list: ops.length ? ops : [{ Delete: { keys: [] } }], encode_rule: { Encode: format(encode) } };
}

/** The output payloads as UTF-8 strings. */
export function run(rule: object, payload: string | Buffer, now = 0): string[] {
  return compileEtlRule(rule).apply(typeof payload === 'string' ? Buffer.from(payload) : payload, now).map((b) => b.toString('utf8'));
}

/** Decodes with `decode` and returns the records as JSON objects (through the JsonObject encoder). */
export function decodeToObjects(decode: Format, payload: string | Buffer): unknown[] {
  return run(etlRule(decode, [], 'JsonObject'), payload).map((s) => JSON.parse(s) as unknown);
}

/** The EtlError apply() throws; fails the test when it throws something else or nothing. */
export function etlError(rule: object, payload: string | Buffer, now = 0): EtlError {
  const compiled = compileEtlRule(rule);
  const input = typeof payload === 'string' ? Buffer.from(payload) : payload;
  try {
    compiled.apply(input, now);
  } catch (e) {
    assert.ok(e instanceof EtlError, `expected an EtlError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected apply() to throw an EtlError');
}
