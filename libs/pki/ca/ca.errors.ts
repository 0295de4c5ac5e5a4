/** Why the local CA will not sign a request; the message is safe to show to an operator. */
export enum CsrErrorCode {
  MALFORMED = 'csr_malformed',
  BAD_SIGNATURE = 'csr_bad_signature',
  WRONG_SUBJECT = 'csr_wrong_subject',
  UNSUPPORTED_KEY = 'csr_unsupported_key',
}

export class CsrError extends Error {
  override readonly name = 'CsrError';

  constructor(
    readonly code: CsrErrorCode,
    message: string,
  ) {
    super(message);
  }
}
