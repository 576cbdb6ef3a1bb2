// The bounds that keep one hostile message or rule from hanging or exhausting the process.
// Each is checked where the data is produced, and breaking one is an EtlError naming it.

export const ETL_LIMITS = {
  /** JSON nesting depth of a payload (serde_json's own recursion limit, so RobustMQ accepts the same). */
  maxDepth: 128,
  /** Records one message may decode into (JsonArray elements, JSON lines, CSV rows). */
  maxRecords: 100_000,
  /** Payload bytes the Bytes decoder turns into a `bytes` array of numbers. */
  maxBytesDecoded: 1_048_576,
  /** Operations in ops_rule_list. */
  maxOps: 64,
  /** Entries of one field_mapping, keys list or Set rules list. */
  maxEntries: 1024,
  /** Characters of a field name, path or separator. */
  maxNameLength: 1024,
  /** Characters of one CEL expression. */
  maxExprLength: 4096,
  /** CEL evaluation steps (AST nodes visited, loop iterations included, regex input characters) per message. */
  maxCelStepsPerMessage: 2_000_000,
  /** Wall-clock milliseconds CEL may spend on one message, checked every few thousand steps. */
  maxCelMillisPerMessage: 1000,
  /** Characters of a string a CEL `+` may build. */
  maxCelStringLength: 1_048_576,
  /** Elements of a list a CEL `+` may build. */
  maxCelListLength: 100_000,
  /** JSON nodes (values) a CEL result may hold. */
  maxCelResultNodes: 100_000,
} as const;
