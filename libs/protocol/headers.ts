/**
 * HTTP headers of the upgrade request on /agent. The CSR travels here rather than in `hello`: central
 * versions that predate mutual TLS ignore an unknown header, whereas their strict `hello` schema would
 * close the connection over an unknown field (ADR 0008).
 */
export const AGENT_ID_HEADER = 'x-switchyard-agent-id';

/** PKCS#10 request as one line of base64 DER; sent while the agent holds no client certificate. */
export const CSR_HEADER = 'x-switchyard-csr';

/** Bounds the header well below Node's 16 KiB limit for all headers together. */
export const MAX_CSR_HEADER_CHARS = 4096;

/** PEM CSR → header value. */
export function encodeCsrHeader(csrPem: string): string {
  const body = /-----BEGIN CERTIFICATE REQUEST-----([\s\S]+?)-----END CERTIFICATE REQUEST-----/.exec(csrPem);
  if (!body) throw new Error('not a PEM certificate request');
  return body[1].replace(/\s+/g, '');
}

/** Header value → PEM CSR, or undefined when the value is not base64 of a sensible size. */
export function decodeCsrHeader(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_CSR_HEADER_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(value))
    return undefined;
  const lines = value.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/**
 * Added by the agent's TLS connector to the requests it forwards (`connector/<name>`), so central can
 * show an agent that reaches it through a connector as such.
 */
export const VIA_HEADER = 'x-switchyard-via';
