import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe, which needs Reflect
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** The only key type the local CA issues for and signs with (STACK: cheapest TLS handshakes here). */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
