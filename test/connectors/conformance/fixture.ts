// What the conformance suite (../conformance.test.ts) needs from each connector type, in one
// module per type named after it (`<type>.ts` beside this file, exporting `fixture`): a working
// config for a running target, a config with wrong credentials, a read-back of the record ids
// that arrived, a record the target refuses for its content (or why there is none), and a way
// to kill and restart the target. The suite fails for a registered type without a fixture.

export interface NotApplicable {
  /** why the case cannot exist for this type; the suite reports the case as skipped with it */
  notApplicable: string;
}

export interface ConformanceTarget {
  /** a stored config (as a definition holds it) that writes to the running target */
  config: Record<string, unknown>;
  /** the same target with wrong credentials (or this type's equivalent, said in `means`) */
  wrongCredentials: { config: Record<string, unknown>; means: string };
  /** the payload of the i-th good record (some targets want a shape, e.g. a JSON object) */
  payload(i: number): Buffer;
  /** a payload the target refuses for that record alone, or why the type cannot have one */
  poison: { payload: Buffer; means: string } | NotApplicable;
  /** the ids of the records that reached the target, repeats kept, in any order */
  readIds(): Promise<string[]>;
  /** ends the target as a crash would; sendBatch must then fail as unavailable */
  kill(): Promise<void>;
  /** starts the killed target again with its data; resolves once readIds works again */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ConformanceFixture {
  start(): Promise<ConformanceTarget>;
}

export const isNotApplicable = (v: object): v is NotApplicable => 'notApplicable' in v;
