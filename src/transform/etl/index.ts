// RobustMQ's ETL rule engine (decode → Extract/Rename/KeepOnly/Set/Delete → encode) as a pure
// library: no dependency on the core or the runtime. docs/*/transforms-etl.md is its reference.
export { EtlRuleSchema, DECODE_TYPES, ENCODE_TYPES, UNSUPPORTED_DECODE_TYPES, type EtlRule, type EtlOperation, type SetValue, type DecodeType, type EncodeType } from './rule-schema.js';
export { compileEtlRule, etlRuleErrors, isEmptyEtlRule, type CompiledEtl } from './compile.js';
export { EtlError } from './etl-error.js';
export { ETL_LIMITS } from './limits.js';
