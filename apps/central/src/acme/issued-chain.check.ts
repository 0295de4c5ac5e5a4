import { X509Certificate, createPrivateKey } from 'node:crypto';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** The CA returned something central must not install; the message says what. */
export class IssuedChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuedChainError';
  }
}

/**
 * Checks what the CA returned before it replaces a working certificate: the leaf belongs to our key,
 * its subjectAltNames cover the FQDN, it is valid now and usable by a server, and each certificate
 * is signed by the next one. Returns the chain normalised to PEM blocks, leaf first.
 */
export function checkIssuedChain(chainPem: string, keyPem: string, fqdn: string, now: Date): string {
  const blocks = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new IssuedChainError('the CA returned no certificate');
  let chain: X509Certificate[];
  try {
    chain = blocks.map((b) => new X509Certificate(b));
  } catch (error) {
    throw new IssuedChainError(
      `the CA returned a certificate that cannot be parsed: ${(error as Error).message}`,
    );
  }
  const leaf = chain[0];
  if (!leaf.checkPrivateKey(createPrivateKey(keyPem)))
    throw new IssuedChainError('the certificate the CA returned is not for the key central generated');
  if (leaf.checkHost(fqdn, { subject: 'never' }) === undefined)
    throw new IssuedChainError(
      `the certificate the CA returned does not cover ${fqdn} (subjectAltName: ${leaf.subjectAltName ?? 'none'})`,
    );
  if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo))
    throw new IssuedChainError(
      `the certificate the CA returned is not valid now (${leaf.validFrom} to ${leaf.validTo})`,
    );
  const usages = leaf.keyUsage as string[] | undefined;
  if (usages && !usages.includes(SERVER_AUTH))
    throw new IssuedChainError('the certificate the CA returned is not for servers (no serverAuth usage)');
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey))
      throw new IssuedChainError(
        `the chain the CA returned is out of order: "${chain[i].subject}" is not signed by "${chain[i + 1].subject}"`,
      );
  }
  return blocks.join('\n') + '\n';
}
