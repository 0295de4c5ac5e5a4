// Test helpers for profiles: signed archives, a fake central that serves them, and a file-tree snapshot.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative } from 'node:path';
import { writeJksTruststore, writePkcs12Truststore } from '../../../../libs/keystore/index.js';
import {
  buildProfileArchive,
  exportProfileSigningPublicKey,
  generateProfileSigningKey,
  type ProfileSigningKeyPair,
} from '../../../../libs/profile-archive/index.js';
import { generateSelfSignedServerCertificate } from '../../../../libs/pki/index.js';
import { FakeCentral, type FakeCentralOptions, type FakeSession } from './fake-central.js';

export const AGENT_ID = 'branch-7';
export const CREDENTIAL = 'sya_' + 'c'.repeat(43);

export interface ConfOptions {
  host?: string;
  plainPort: number;
  securePort?: number;
  secure?: boolean;
  password?: string;
  store?: 'jks' | 'p12';
  extra?: string[];
}

/** An agent.conf as central's profiles write it (agent.id left to the caller). */
export function confText(o: ConfOptions, agentId: string | undefined = AGENT_ID): string {
  const store = o.store ?? 'jks';
  return [
    '# agent.conf written by the test',
    `central.host=${o.host ?? '127.0.0.1'}`,
    `central.websocket.port=${o.plainPort}`,
    `central.websocket.secure=${o.secure ?? false}`,
    `central.websocket.secure.port=${o.securePort ?? 9150}`,
    ...(agentId !== undefined ? [`agent.id=${agentId}`] : []),
    `jetty.jvm.args=-Djavax.net.ssl.trustStore=conf/security/truststore.${store} -Djavax.net.ssl.trustStorePassword=${o.password ?? 'changeit'} -Djavax.net.ssl.trustStoreType=${store === 'jks' ? 'JKS' : 'PKCS12'}`,
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

/** A self-signed server identity for localhost and 127.0.0.1, as central generates at first start. */
export async function serverIdentity(): Promise<{ cert: string; key: string; der: Buffer }> {
  const generated = await generateSelfSignedServerCertificate({
    hosts: ['localhost', '127.0.0.1'],
    validityDays: 2,
  });
  return {
    cert: generated.certificatePem,
    key: generated.privateKeyPem,
    der: Buffer.from(new X509Certificate(generated.certificatePem).raw),
  };
}

export interface TestProfile {
  archive: Buffer;
  sha256: string;
  profile: string;
  revision: number;
}

/** A signed revision with agent.conf and both truststores (trusting `trusted`), as central prepares it. */
export async function buildTestProfile(
  key: ProfileSigningKeyPair,
  o: { profile?: string; revision: number; conf: string; trusted: Buffer[]; password?: string },
): Promise<TestProfile> {
  const password = o.password ?? 'changeit';
  const certs = o.trusted.map((der, i) => ({ alias: `ca-${i}`, der }));
  const built = await buildProfileArchive(
    {
      profile: o.profile ?? 'default',
      revision: o.revision,
      files: [
        { path: 'conf/agent.conf', bytes: Buffer.from(o.conf) },
        { path: 'conf/security/truststore.jks', bytes: writeJksTruststore(certs, password) },
        {
          path: 'conf/security/truststore.p12',
          bytes: writePkcs12Truststore(certs, password, { salt: Buffer.alloc(20, 7) }),
        },
      ],
      minimumAgentVersion: '0.0.1',
      requiredCapabilities: ['wss'],
    },
    key.privateKey,
  );
  return {
    archive: built.archive,
    sha256: built.sha256,
    profile: o.profile ?? 'default',
    revision: o.revision,
  };
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A fake central that welcomes with the profile-signing key and serves `/profiles/<sha256>.zip` from
 * `archives` (only with the agent's credential and id, as central does).
 */
export class ProfileCentral {
  readonly archives = new Map<string, Buffer | ((response: ServerResponse) => void)>();
  readonly downloads: IncomingMessage[] = [];

  private constructor(readonly central: FakeCentral) {}

  static async start(
    signingKey: KeyObject,
    options: FakeCentralOptions & { welcome?: (session: FakeSession) => Record<string, unknown> } = {},
  ): Promise<ProfileCentral> {
    let self: ProfileCentral | undefined = undefined;
    const central = await FakeCentral.start({
      onSession: (session) =>
        void session.frame('hello').then(
          () =>
            session.welcome({
              profileSigningKey: exportProfileSigningPublicKey(signingKey),
              ...options.welcome?.(session),
            }),
          () => {},
        ),
      ...options,
      serve: (request, response) => self!.serve(request, response),
    });
    self = new ProfileCentral(central);
    return self;
  }

  get port(): number {
    return this.central.port;
  }

  session(index: number, timeoutMs?: number): Promise<FakeSession> {
    return this.central.session(index, timeoutMs);
  }

  close(): Promise<void> {
    return this.central.close();
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    this.downloads.push(request);
    const match = /^\/profiles\/([0-9a-f]{64})\.zip$/.exec(request.url ?? '');
    const entry = match ? this.archives.get(match[1]) : undefined;
    if (
      request.headers.authorization !== `Bearer ${CREDENTIAL}` ||
      request.headers['x-switchyard-agent-id'] !== AGENT_ID
    ) {
      response.statusCode = 401;
      return void response.end();
    }
    if (!entry) {
      response.statusCode = 404;
      return void response.end();
    }
    if (typeof entry === 'function') return entry(response);
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': entry.length });
    response.end(entry);
  }
}

/** Every file and folder below `root` with its content (files) or kind, to prove nothing else was written. */
export function snapshot(
  root: string,
  skip: (path: string) => boolean = () => false,
): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (skip(rel)) continue;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out[rel] = `link → ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[rel + '/'] = 'dir';
        walk(path);
      } else out[rel] = sha256Of(readFileSync(path));
    }
  };
  walk(root);
  return out;
}

export async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export { generateProfileSigningKey };
