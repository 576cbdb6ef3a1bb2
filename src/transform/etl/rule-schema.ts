// The shape of RobustMQ's ETLRule (metadata-struct connector/rule.rs) as serde writes it: every
// operator externally tagged, e.g. {"Rename": {"field_mapping": {"old": "new"}}}. This schema is
// the shape for OpenAPI and types; etlRuleErrors (validate.ts) checks the same shape with errors
// naming the step, plus what a schema cannot say (CEL compiles, unsupported decoders).
import Type, { type Static } from 'typebox';
import { ETL_LIMITS } from './limits.js';

export const DECODE_TYPES = ['JsonObject', 'JsonArray', 'JsonLines', 'KeyValueLine', 'PositionalLine', 'Csv', 'PlainText', 'Bytes'] as const;
export const ENCODE_TYPES = DECODE_TYPES;
/** RobustMQ declares these decoders but implements neither; refused at create time. */
export const UNSUPPORTED_DECODE_TYPES = ['Protobuf', 'Xml'] as const;
export type DecodeType = (typeof DECODE_TYPES)[number];
export type EncodeType = (typeof ENCODE_TYPES)[number];

const Name = Type.String({ minLength: 1, maxLength: ETL_LIMITS.maxNameLength });
const Separator = Type.Optional(
  Type.Union([Type.String({ maxLength: ETL_LIMITS.maxNameLength }), Type.Null()], { description: 'null or "" = the default' }),
);

function formatParams<T extends readonly string[]>(types: T, what: string) {
  return Type.Object(
    {
      data_type: Type.Enum([...types], { description: `The ${what} format.` }),
      line_separator: Separator,
      token_separator: Separator,
      kv_separator: Separator,
    },
    { additionalProperties: false },
  );
}

export const DecodeOpSchema = Type.Object(
  { Decode: formatParams(DECODE_TYPES, 'payload') },
  { additionalProperties: false, description: 'How the payload becomes records. line_separator: JsonLines (default: line breaks); token_separator: KeyValueLine, PositionalLine (default: whitespace); kv_separator: KeyValueLine (default "=").' },
);
export const EncodeOpSchema = Type.Object(
  { Encode: formatParams(ENCODE_TYPES, 'output') },
  { additionalProperties: false, description: 'How the records become output payloads. line_separator: JsonLines (default "\\n"); token_separator: KeyValueLine, PositionalLine (default " "); kv_separator: KeyValueLine (default "=").' },
);

const FieldMapping = Type.Record(Type.String({ minLength: 1, maxLength: ETL_LIMITS.maxNameLength }), Name, { maxProperties: ETL_LIMITS.maxEntries });
const Keys = Type.Array(Name, { maxItems: ETL_LIMITS.maxEntries });

export const ExtractOpSchema = Type.Object(
  { Extract: Type.Object({ field_mapping: FieldMapping }, { additionalProperties: false }) },
  { additionalProperties: false, description: 'Source path (a.b.0.c or /a/b/0/c) → target field; the record keeps only the extracted fields, in mapping order. A missing path leaves its field out.' },
);
export const RenameOpSchema = Type.Object(
  { Rename: Type.Object({ field_mapping: FieldMapping }, { additionalProperties: false }) },
  { additionalProperties: false, description: 'Top-level field → new name, applied in mapping order; a renamed field keeps its position.' },
);
export const KeepOnlyOpSchema = Type.Object(
  { KeepOnly: Type.Object({ keys: Keys }, { additionalProperties: false }) },
  { additionalProperties: false, description: 'Keep only these top-level fields, in the order given. An empty list keeps the record as it is (as in RobustMQ).' },
);
export const DeleteOpSchema = Type.Object(
  { Delete: Type.Object({ keys: Keys }, { additionalProperties: false }) },
  { additionalProperties: false, description: 'Remove these top-level fields.' },
);

export const SetValueSchema = Type.Union(
  [
    Type.Object({ type: Type.Literal('const'), value: Type.Unknown({ description: 'any JSON value' }) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('now') }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('cel'), expr: Type.String({ minLength: 1, maxLength: ETL_LIMITS.maxExprLength }) }, { additionalProperties: false }),
  ],
  { description: 'const: a fixed JSON value; now: the processing time as RFC 3339 (UTC, ms); cel: a CEL expression over the record (each top-level field is a variable, and `record` is the whole record).' },
);
export const SetOpSchema = Type.Object(
  { Set: Type.Object({ rules: Type.Array(Type.Object({ target_field: Name, value: SetValueSchema }, { additionalProperties: false }), { maxItems: ETL_LIMITS.maxEntries }) }, { additionalProperties: false }) },
  { additionalProperties: false, description: 'Set or overwrite top-level fields, rule by rule (a later rule sees the fields set before it).' },
);

export const OperationSchema = Type.Union([ExtractOpSchema, RenameOpSchema, KeepOnlyOpSchema, SetOpSchema, DeleteOpSchema]);

export const EtlRuleSchema = Type.Object(
  {
    decode_rule: Type.Optional(Type.Union([DecodeOpSchema, Type.Null()])),
    ops_rule_list: Type.Optional(Type.Array(OperationSchema, { maxItems: ETL_LIMITS.maxOps })),
    encode_rule: Type.Optional(Type.Union([EncodeOpSchema, Type.Null()])),
  },
  {
    additionalProperties: false,
    description:
      "RobustMQ's ETL rule: decode the payload into records, run the operations in order, encode the records. A rule without decode_rule, operations and encode_rule (RobustMQ's stored empty rule) does nothing; giving only some of the three is refused, since RobustMQ would silently do nothing with it.",
  },
);

export type EtlRule = Static<typeof EtlRuleSchema>;
export type EtlOperation = Static<typeof OperationSchema>;
export type SetValue = Static<typeof SetValueSchema>;
/** The params of Decode and Encode once validated (data_type checked against its list). */
export interface FormatParams {
  data_type: DecodeType;
  line_separator?: string | null;
  token_separator?: string | null;
  kv_separator?: string | null;
}

/** A separator, or undefined when null or "" (both mean: the default, as in RobustMQ). */
export function separator(s: string | null | undefined): string | undefined {
  return s ? s : undefined;
}
