import { isIP } from 'node:net';
import { type Parsed, type ValueType } from './agent-conf.value-types.js';

// Value types of the local API's security keys (issue 17 point 3, ADR 43).

/** The local API's security levels, after thin-edge.io's three: 1 plain, 2 https, 3 with client auth. */
export const LOCAL_API_SECURITY = ['plain', 'https', 'https-client-certificate', 'https-password'] as const;
export type LocalApiSecurity = (typeof LOCAL_API_SECURITY)[number];

/** A password hash as `agent.local.api.password.hash` holds it: `scrypt$N$r$p$salt$hash`. */
export interface PasswordHash {
  /** scrypt's cost (a power of two), block size and parallelism. */
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Limits that keep one verification below ~256 MiB and a few seconds whatever agent.conf says. */
const MAX_LOG2_N = 20;
const MIN_LOG2_N = 10;
const MAX_MEMORY = 256 * 1024 * 1024;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (message: string): Parsed<never> => ({ ok: false, message });
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Bytes scrypt needs for these parameters (Node's `maxmem` must exceed it). */
export function scryptMemory(N: number, r: number, p: number): number {
  return 128 * N * r * p + 128 * r * 2;
}

/** Reads `scrypt$N$r$p$salt$hash` (salt and hash base64url); the message names what is wrong. */
export function parsePasswordHash(text: string): Parsed<PasswordHash> {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    return bad(
      'must be scrypt$N$r$p$salt$hash as `switchyard-agent hash-password` prints it (got something else; the value is not shown)',
    );
  }
  const [, nText, rText, pText, saltText, hashText] = parts;
  const [N, r, p] = [nText, rText, pText].map((t) => (/^\d{1,8}$/.test(t) ? Number(t) : NaN));
  if (!(N >= 2 ** MIN_LOG2_N && N <= 2 ** MAX_LOG2_N && (N & (N - 1)) === 0)) {
    return bad(`N must be a power of two from 2^${MIN_LOG2_N} to 2^${MAX_LOG2_N} (got ${nText})`);
  }
  if (!(r >= 1 && r <= 32)) return bad(`r must be 1-32 (got ${rText})`);
  if (!(p >= 1 && p <= 16)) return bad(`p must be 1-16 (got ${pText})`);
  if (scryptMemory(N, r, p) > MAX_MEMORY) return bad('N, r and p together need more than 256 MiB');
  if (!BASE64URL.test(saltText) || !BASE64URL.test(hashText)) {
    return bad('salt and hash must be base64url (A-Z a-z 0-9 - _)');
  }
  const salt = Buffer.from(saltText, 'base64url');
  const hash = Buffer.from(hashText, 'base64url');
  if (salt.length < 16) return bad(`the salt must have at least 16 bytes (has ${salt.length})`);
  if (hash.length < 32 || hash.length > 64) return bad(`the hash must have 32-64 bytes (has ${hash.length})`);
  return ok({ N, r, p, salt, hash });
}

/** The text `parsePasswordHash` reads. */
export function formatPasswordHash(h: PasswordHash): string {
  return `scrypt$${h.N}$${h.r}$${h.p}$${h.salt.toString('base64url')}$${h.hash.toString('base64url')}`;
}

/** The hash; its text is never echoed in a message (it is a secret's derivative). */
export const PASSWORD_HASH: ValueType<PasswordHash | null> = {
  name: 'scrypt hash',
  // Empty (the default): no password set.
  parse: (text) => (text === '' ? ok(null) : parsePasswordHash(text)),
};

/** An IPv4 or IPv6 address (no host names: the agent binds it). */
export const IP_ADDRESS: ValueType<string> = {
  name: 'IP address',
  parse(text) {
    const address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    return isIP(address) !== 0
      ? ok(address)
      : bad(`must be an IPv4 or IPv6 address (got ${JSON.stringify(text)})`);
  },
};

/** True for 127.0.0.0/8 and ::1: addresses only this machine reaches. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** A file path, relative to the agent home unless absolute; empty when not set. */
export const FILE_PATH: ValueType<string> = {
  name: 'path',
  parse: (text) => ok(text),
};

/** A user name for HTTP basic auth: no colon (it separates the password), no control characters. */
export const USER_NAME: ValueType<string> = {
  name: 'user name',
  parse(text) {
    // eslint-disable-next-line no-control-regex
    return /^[^:\u0000-\u001f\u007f]{1,64}$/.test(text)
      ? ok(text)
      : bad(`must be 1-64 characters without ':' or control characters (got ${JSON.stringify(text)})`);
  },
};
