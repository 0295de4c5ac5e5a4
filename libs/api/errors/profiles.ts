import { type ErrorCategory } from './category.js';

/** Refusals of `/api/profiles` (drafts, revisions, truststores). */
export const PROFILE_ERRORS = {
  profile_not_found: 'not_found',
  profile_revision_not_found: 'not_found',
  /** A diff against "the latest revision" of a profile never prepared. */
  profile_has_no_revision: 'not_found',
  profile_already_exists: 'conflict',
  /** Someone saved the draft since the version the client edited; `draftVersion` is the current one. */
  profile_draft_changed: 'conflict',
  profile_built_in: 'conflict',
  profile_has_revisions: 'conflict',
  /** A truststore entry names a certificate that does not exist (any more). */
  truststore_entry_unresolved: 'conflict',
} as const satisfies Record<string, ErrorCategory>;

export type ProfileErrorCode = keyof typeof PROFILE_ERRORS;
