import { type ErrorCategory } from './category.js';

/** Refusals of `/api/certificates/server` (import, restore) and of ACME. */
export const CERTIFICATE_ERRORS = {
  /** No file, too many files, or a file too large; `reason` says which. */
  certificate_upload_invalid: 'certificate_rejected',
  /** The files cannot become the server identity; `reason` is the import check that failed. */
  certificate_unusable: 'certificate_rejected',
  server_certificate_not_found: 'not_found',
  previous_certificate_not_found: 'not_found',
  /** The step needs a served certificate and there is none yet. */
  no_server_certificate: 'conflict',
  server_certificate_changed_meanwhile: 'conflict',
  /** Known agents would not trust the new chain; `agents` and `chain` say which and why. */
  certificate_would_strand_agents: 'would_strand_agents',
  acme_order_running: 'conflict',
  acme_order_not_found: 'not_found',
  acme_challenge_not_found: 'not_found',
  acme_certificate_not_held: 'not_found',
  /** The active certificate did not come from an ACME order. */
  acme_renewal_not_applicable: 'not_found',
} as const satisfies Record<string, ErrorCategory>;

export type CertificateErrorCode = keyof typeof CERTIFICATE_ERRORS;
