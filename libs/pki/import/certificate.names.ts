import type { X509Certificate } from 'node:crypto';

// How certificates are named in messages: distinguished names as one line ('CN=central.example, O=Acme').

export const subjectOf = (certificate: X509Certificate): string => oneLine(certificate.subject);

export const issuerOf = (certificate: X509Certificate): string => oneLine(certificate.issuer);

/** A date as operators read it in messages: ISO 8601 in UTC, to the second. */
export const dateOf = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const oneLine = (name: string): string => name.split('\n').join(', ');
