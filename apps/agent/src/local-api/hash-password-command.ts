import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { formatPasswordHash, type PasswordHash } from '../../../../libs/agent-conf/index.js';
import { ExitCode } from '../exit-codes.js';
import { deriveKey } from './password-check.js';

/** scrypt's cost: 32 MiB and a fraction of a second per verification (0.4 s at load 17); a right answer is then cached. */
export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
const MIN_PASSWORD_LENGTH = 8;

export type ScryptCost = Pick<PasswordHash, 'N' | 'r' | 'p'>;

export const HASH_PASSWORD_USAGE = `Usage: switchyard-agent hash-password < password-file
       switchyard-agent hash-password            (asks on the terminal, twice, without echo)

Prints the scrypt hash of a password for the local API's level https-password:
  agent.local.api.security=https-password
  agent.local.api.password.hash=<the printed line>
The password is read from standard input (one line; a trailing newline is not part of it), never
from the command line, where other users could see it. At least ${MIN_PASSWORD_LENGTH} characters.
`;

/** Hashes `password` with a fresh 16-byte salt. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const params: Omit<PasswordHash, 'hash'> = { ...cost, salt };
  return formatPasswordHash({ ...params, hash: await deriveKey(password, params, 32) });
}

/** `switchyard-agent hash-password`. */
export async function runHashPasswordCommand(
  argv: string[],
  _env: NodeJS.ProcessEnv,
  io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<ExitCode> {
  try {
    const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.stdout.write(HASH_PASSWORD_USAGE);
      return ExitCode.OK;
    }
  } catch (error) {
    io.stderr.write(`switchyard-agent hash-password: ${(error as Error).message} (see --help)\n`);
    return ExitCode.USAGE;
  }
  let password: string;
  if (io.stdin.isTTY) {
    password = await askHidden(io.stdin, io.stderr, 'Password: ');
    if ((await askHidden(io.stdin, io.stderr, 'Again: ')) !== password) {
      io.stderr.write('switchyard-agent hash-password: the two passwords differ\n');
      return ExitCode.USAGE;
    }
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(chunk as Buffer);
    password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    io.stderr.write(
      `switchyard-agent hash-password: the password must have at least ${MIN_PASSWORD_LENGTH} characters\n`,
    );
    return ExitCode.USAGE;
  }
  if (/[\r\n]/.test(password)) {
    io.stderr.write('switchyard-agent hash-password: the password must be one line\n');
    return ExitCode.USAGE;
  }
  io.stdout.write(`${await hashPassword(password)}\n`);
  return ExitCode.OK;
}

/** One line from the terminal with echo off. */
function askHidden(stdin: NodeJS.ReadStream, out: NodeJS.WritableStream, prompt: string): Promise<string> {
  out.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          finish();
          out.write('\n');
          return resolve(text);
        }
        if (char === '\u0003') {
          finish();
          return reject(new Error('interrupted'));
        }
        if (char === '\u007f' || char === '\b') text = [...text].slice(0, -1).join('');
        else text += char;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}
