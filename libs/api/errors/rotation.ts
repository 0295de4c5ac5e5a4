import { type ErrorCategory } from './category.js';

/** Refusals of `/api/certificates/rotations` (ADR 30) and of certmgr's rotation commands. */
export const ROTATION_ERRORS = {
  rotation_not_found: 'not_found',
  /** One rotation at a time; `rotationId` is the open one. */
  rotation_already_open: 'conflict',
  /** The new chain ends at the anchor agents already trust: import it directly. */
  rotation_same_anchor: 'conflict',
  rotation_no_next_step: 'conflict',
  rotation_nothing_to_abort: 'conflict',
  rotation_changed_meanwhile: 'conflict',
  /** The served certificate is not the one this rotation staged or activated. */
  served_certificate_changed: 'conflict',
  rotation_key_discarded: 'conflict',
  /** certmgr cannot publish revisions: the step needs a running central. */
  rotation_needs_central: 'conflict',
  /** Agents do not trust the new anchor yet; `agents`, `trusting` and `total` say which. */
  rotation_gate_would_strand_agents: 'would_strand_agents',
} as const satisfies Record<string, ErrorCategory>;

export type RotationErrorCode = keyof typeof ROTATION_ERRORS;
