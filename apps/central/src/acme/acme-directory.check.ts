import { get } from 'node:https';
import { rootCertificates } from 'node:tls';

const TIMEOUT_MS = 15_000;

/** The URL answers, but not as an ACME directory. */
export class NotAnAcmeDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAnAcmeDirectoryError';
  }
}

/**
 * Fetches the directory once before acme-client does. acme-client retries network and TLS errors for
 * seconds and then loses them (it reports "Cannot read properties of undefined"); this check turns a
 * mistyped URL, an untrusted certificate or a refused connection into the Node error with its code.
 */
export function checkAcmeDirectory(url: string, caPem: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(
      url,
      { ca: caPem ? [...rootCertificates, caPem] : undefined, timeout: TIMEOUT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 100_000) body += chunk;
        });
        res.on('end', () => {
          if (res.statusCode !== 200)
            return reject(
              new NotAnAcmeDirectoryError(`${url} answered HTTP ${res.statusCode}, not an ACME directory`),
            );
          try {
            const directory = JSON.parse(body) as Record<string, unknown>;
            if (typeof directory.newOrder === 'string' && typeof directory.newAccount === 'string')
              return resolve();
          } catch {
            // not JSON: reported below
          }
          reject(
            new NotAnAcmeDirectoryError(
              `${url} is not an ACME directory (no newAccount and newOrder in its answer)`,
            ),
          );
        });
      },
    );
    req.once('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
  });
}
