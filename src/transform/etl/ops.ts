// The field operations (RobustMQ's rule-engine operator/*.rs), each compiled from its params into
// a function of one record. Mapping entries apply in the order the object lists them (RobustMQ
// keeps them in a HashMap, so its order is undefined); records are never mutated in place.
import { lookup, type FieldPath } from './path.js';
import type { EtlRecord } from './record.js';

export type RecordOp = (record: EtlRecord) => EtlRecord;

/** Only the extracted fields, in mapping order; a later entry for the same target wins, a missing path sets nothing. */
export function extractOp(mapping: ReadonlyArray<readonly [FieldPath, string]>): RecordOp {
  if (mapping.length === 0) return (r) => r; // RobustMQ: an empty mapping keeps the record
  return (record) => {
    const out: EtlRecord = new Map();
    for (const [path, target] of mapping) {
      const v = lookup(record, path);
      if (v !== undefined) out.set(target, v);
    }
    return out;
  };
}

/** Renames top-level fields in place (the field keeps its position); a missing source is skipped. */
export function renameOp(mapping: ReadonlyArray<readonly [string, string]>): RecordOp {
  const effective = mapping.filter(([from, to]) => from !== to);
  if (effective.length === 0) return (r) => r;
  return (record) => {
    let cur = record;
    for (const [from, to] of effective) {
      if (!cur.has(from)) continue;
      const next: EtlRecord = new Map();
      for (const [k, v] of cur) {
        if (k === from) next.set(to, v);
        else if (k !== to) next.set(k, v);
      }
      cur = next;
    }
    return cur;
  };
}

/** Keeps the listed fields, in list order. RobustMQ: an empty list keeps the record as it is. */
export function keepOnlyOp(keys: readonly string[]): RecordOp {
  if (keys.length === 0) return (r) => r;
  return (record) => {
    const out: EtlRecord = new Map();
    for (const k of keys) {
      const v = record.get(k);
      if (v !== undefined) out.set(k, v);
    }
    return out;
  };
}

export function deleteOp(keys: readonly string[]): RecordOp {
  if (keys.length === 0) return (r) => r;
  return (record) => {
    if (!keys.some((k) => record.has(k))) return record;
    const out = new Map(record);
    for (const k of keys) out.delete(k);
    return out;
  };
}
