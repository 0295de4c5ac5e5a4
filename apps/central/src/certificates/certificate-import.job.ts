import { type CertificateImportErrorCode, type ImportedServerIdentity } from '../../../../libs/pki/index.js';

/** What the import worker is given (structured-cloned: Buffers arrive as Uint8Arrays). */
export interface ImportJob {
  files: Array<{ name: string; bytes: Uint8Array }>;
  password: string | undefined;
  hosts: string[];
}

/** What it answers: the identity, or the refusal in the words of libs/pki (code absent: a bug). */
export type ImportAnswer =
  | { ok: true; identity: ImportedServerIdentity }
  | { ok: false; error: { code?: CertificateImportErrorCode; message: string; file?: string } };
