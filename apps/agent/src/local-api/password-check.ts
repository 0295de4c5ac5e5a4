import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { scryptMemory, type PasswordHash } from '../../../../libs/agent-conf/index.js';
import { FailureLimiter } from './failure-limiter.js';
import type { Refusal } from './local-api-server.js';

export const REALM = 'switchyard agent local API';
const CHALLENGE = { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` };

/** scrypt of `password` with the parameters and salt of `hash`. */
export function deriveKey(
  password: string,
  hash: Omit<PasswordHash, 'hash'>,
  length: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      hash.salt,
      length,
      { N: hash.N, r: hash.r, p: hash.p, maxmem: scryptMemory(hash.N, hash.r, hash.p) * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/** Called on each wrong password (the agent logs it and counts it for its status). */
export type OnWrongPassword = (event: { address: string; user: string; inWindow: number }) => void;

/**
 * Level 3 with a password (`https-password`): HTTP basic auth against the scrypt hash in agent.conf.
 * Verifications run one at a time (each takes ~32 MiB and tens of ms); a password that was right once
 * is remembered as a keyed digest, so a client's every request does not pay for scrypt again. Wrong
 * passwords are rate-limited per address (429 with Retry-After) before any scrypt work.
 */
export class PasswordCheck {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly digestKey = randomBytes(32);
  private accepted: Buffer | undefined;
  /** Wrong passwords since start, for GET /status. */
  wrongPasswords = 0;

  constructor(
    private readonly user: string,
    private readonly hash: PasswordHash,
    private readonly limiter = new FailureLimiter(),
    private readonly onWrong: OnWrongPassword = () => {},
  ) {}

  async authorize(req: IncomingMessage): Promise<Refusal | undefined> {
    const address = req.socket.remoteAddress ?? 'unknown';
    const blocked = this.limiter.blockedFor(address);
    if (blocked > 0) {
      const seconds = Math.ceil(blocked / 1000);
      return {
        status: 429,
        error: `too many wrong passwords from ${address} (more than ${this.limiter.limits.perAddress} per minute): try again in ${seconds} s`,
        headers: { 'Retry-After': String(seconds) },
      };
    }
    const credentials = basicCredentials(req.headers.authorization);
    if (typeof credentials === 'string') return { status: 401, error: credentials, headers: CHALLENGE };
    if (await this.matches(credentials.user, credentials.password)) return undefined;
    const inWindow = this.limiter.fail(address);
    this.wrongPasswords++;
    this.onWrong({ address, user: credentials.user, inWindow });
    return {
      status: 401,
      error: `wrong user name or password (${inWindow} of ${this.limiter.limits.perAddress} wrong attempts allowed per minute from ${address})`,
      headers: CHALLENGE,
    };
  }

  private async matches(user: string, password: string): Promise<boolean> {
    const digest = createHmac('sha256', this.digestKey).update(`${user}\0${password}`).digest();
    if (this.accepted && timingSafeEqual(digest, this.accepted)) return true;
    const run = this.queue.then(() => deriveKey(password, this.hash, this.hash.hash.length));
    this.queue = run.catch(() => undefined);
    const derived = await run;
    // Both compared in constant time, and both always: the answer must not tell which one was wrong.
    const passwordOk = timingSafeEqual(derived, this.hash.hash);
    const userOk = timingSafeEqual(
      createHmac('sha256', this.digestKey).update(user).digest(),
      createHmac('sha256', this.digestKey).update(this.user).digest(),
    );
    if (passwordOk && userOk) this.accepted = digest;
    return passwordOk && userOk;
  }
}

/** `user` and `password` of a Basic Authorization header, or why there are none. */
function basicCredentials(header: string | undefined): { user: string; password: string } | string {
  if (header === undefined) {
    return 'a user name and password are needed (HTTP basic auth): this local API is at level https-password';
  }
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return 'the Authorization header must be "Basic <base64 of user:password>"';
  const text = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return 'the Authorization header must hold "user:password" in base64 (no colon found)';
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
