import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { parsePasswordHash, type PasswordHash } from '../../../../libs/agent-conf/index.js';
import { FailureLimiter } from './failure-limiter.js';
import { hashPassword, runHashPasswordCommand } from './hash-password-command.js';
import { PasswordCheck } from './password-check.js';

const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

function request(authorization: string | undefined, address = '127.0.0.1'): IncomingMessage {
  return {
    headers: authorization === undefined ? {} : { authorization },
    socket: { remoteAddress: address },
  } as unknown as IncomingMessage;
}
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function parsed(text: string): PasswordHash {
  const result = parsePasswordHash(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe('local API passwords', () => {
  it('hashes into scrypt$N$r$p$salt$hash with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse', CHEAP);
    const b = await hashPassword('correct horse', CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(parsed(a).hash).toHaveLength(32);
  });

  it('accepts the right user and password, refuses others with the reason, never which one was wrong', async () => {
    const wrong: string[] = [];
    const check = new PasswordCheck(
      'till',
      parsed(await hashPassword('correct horse', CHEAP)),
      undefined,
      (e) => wrong.push(`${e.user}@${e.address}#${e.inWindow}`),
    );
    expect(await check.authorize(request(basic('till', 'correct horse')))).toBeUndefined();
    // cached: the second time costs no scrypt, same answer
    expect(await check.authorize(request(basic('till', 'correct horse')))).toBeUndefined();
    const wrongPassword = await check.authorize(request(basic('till', 'correct hors')));
    const wrongUser = await check.authorize(request(basic('admin', 'correct horse')));
    expect(wrongPassword).toMatchObject({ status: 401 });
    expect(wrongPassword!.error).toBe(
      'wrong user name or password (1 of 5 wrong attempts allowed per minute from 127.0.0.1)',
    );
    expect(wrongUser!.error).toContain('wrong user name or password (2 of 5');
    expect(wrongPassword!.headers).toEqual({
      'WWW-Authenticate': 'Basic realm="switchyard agent local API", charset="UTF-8"',
    });
    expect(await check.authorize(request(undefined))).toMatchObject({
      status: 401,
      error:
        'a user name and password are needed (HTTP basic auth): this local API is at level https-password',
    });
    expect((await check.authorize(request('Bearer abc')))!.error).toBe(
      'the Authorization header must be "Basic <base64 of user:password>"',
    );
    expect(wrong).toEqual(['till@127.0.0.1#1', 'admin@127.0.0.1#2']);
    expect(check.wrongPasswords).toBe(2);
  });

  it('limits wrong passwords per address and in total, within a sliding minute', () => {
    let now = 0;
    const limiter = new FailureLimiter({ perAddress: 2, total: 3, windowMs: 60_000 }, () => now);
    limiter.fail('a');
    expect(limiter.blockedFor('a')).toBe(0);
    now = 10_000;
    limiter.fail('a');
    expect(limiter.blockedFor('a')).toBe(50_000); // the first failure leaves the window at 60 s
    expect(limiter.blockedFor('b')).toBe(0);
    limiter.fail('b');
    expect(limiter.blockedFor('c')).toBe(50_000); // 3 in total: everyone waits
    now = 60_001;
    expect(limiter.blockedFor('a')).toBe(0);
    expect(limiter.blockedFor('c')).toBe(0);
  });

  it('answers 429 with Retry-After while an address is over its limit, before any scrypt work', async () => {
    let now = 0;
    const check = new PasswordCheck(
      'till',
      parsed(await hashPassword('correct horse', CHEAP)),
      new FailureLimiter({ perAddress: 1, total: 10, windowMs: 60_000 }, () => now),
    );
    await check.authorize(request(basic('till', 'nope'), '10.0.0.9'));
    now = 15_000;
    const limited = await check.authorize(request(basic('till', 'correct horse'), '10.0.0.9'));
    expect(limited).toEqual({
      status: 429,
      error: 'too many wrong passwords from 10.0.0.9 (more than 1 per minute): try again in 45 s',
      headers: { 'Retry-After': '45' },
    });
    expect(await check.authorize(request(basic('till', 'correct horse'), '10.0.0.8'))).toBeUndefined();
  });

  describe('switchyard-agent hash-password', () => {
    const runWith = async (input: string, argv: string[] = []) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: string[] = [];
      const err: string[] = [];
      stdout.on('data', (c: Buffer) => out.push(c.toString()));
      stderr.on('data', (c: Buffer) => err.push(c.toString()));
      const stdin = Readable.from([Buffer.from(input)]) as unknown as NodeJS.ReadStream;
      const code = await runHashPasswordCommand(argv, {}, { stdin, stdout, stderr });
      return { code, out: out.join(''), err: err.join('') };
    };

    it('prints the hash of the line on stdin, which agent.conf then accepts', async () => {
      const { code, out } = await runWith('correct horse\n');
      expect(code).toBe(0);
      const hash = parsed(out.trim());
      expect(hash.N).toBe(2 ** 15);
      const check = new PasswordCheck('switchyard', hash);
      expect(await check.authorize(request(basic('switchyard', 'correct horse')))).toBeUndefined();
    });

    it('refuses a short password and prints help', async () => {
      expect(await runWith('short\n')).toMatchObject({
        code: 2,
        out: '',
        err: 'switchyard-agent hash-password: the password must have at least 8 characters\n',
      });
      expect((await runWith('', ['--help'])).out).toContain(
        'agent.local.api.password.hash=<the printed line>',
      );
      expect((await runWith('', ['--password', 'x'])).code).toBe(2);
    });
  });
});
