const DAY_MS = 86_400_000;

/**
 * When a certificate is due for renewal: `renewDaysBefore` days before it expires. If the CA issues
 * certificates that live no longer than that (short-lived profiles, test CAs), a third of the lifetime
 * is used instead, otherwise every fresh certificate would be due at once and renewed at every check.
 */
export function renewalDueAt(cert: { notBefore: Date; notAfter: Date }, renewDaysBefore: number): Date {
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
  const before = renewDaysBefore * DAY_MS < lifetime ? renewDaysBefore * DAY_MS : lifetime / 3;
  return new Date(cert.notAfter.getTime() - before);
}
