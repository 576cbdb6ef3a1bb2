// Every reason a record can be discarded for, the keys of a status's `discarded` and the
// `reason` label of sluice_discarded_total. Defined once; docs tests import this list.

/** decided by the failure policy for a record the sink could not write */
export const POLICY_DISCARD_REASONS = ['permanent_error', 'retriable_error', 'retries_exhausted', 'transform_error'] as const;
/** decided at intake: the message never reached the journal (or drop_oldest removed it) */
export const INTAKE_DISCARD_REASONS = ['larger_than_journal', 'journal_full'] as const;
export const DISCARD_REASONS = [...POLICY_DISCARD_REASONS, ...INTAKE_DISCARD_REASONS] as const;

export type PolicyDiscardReason = (typeof POLICY_DISCARD_REASONS)[number];
export type IntakeDiscardReason = (typeof INTAKE_DISCARD_REASONS)[number];
export type DiscardReason = (typeof DISCARD_REASONS)[number];
