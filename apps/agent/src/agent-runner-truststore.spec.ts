import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJksTruststore, writePkcs12Truststore } from '../../../libs/keystore/index.js';
import { CloseCode } from '../../../libs/protocol/index.js';
import { confText, CREDENTIAL, until } from './testing/profile-fixtures.js';
import { runnerTestbed } from './testing/runner-testbed.js';
import { createTestCa, issueServerCertificate } from './testing/test-certificates.js';

/** A session the agent left before its hello (the agent stopped): nothing to answer. */
const ignore = (): void => undefined;

describe('AgentRunner over wss: trusts only its truststore, follows it on disk', () => {
  const bed = runnerTestbed();

  it('over wss trusts only the truststore, reports an untrusted certificate, and never falls back to plain', async () => {
    const [trusted, other] = await Promise.all([createTestCa('Central CA'), createTestCa('Impostor CA')]);
    writeFileSync(
      join(bed.dir, 'conf', 'security', 'truststore.jks'),
      writeJksTruststore([{ alias: 'central-ca', der: trusted.der }], 'changeit'),
    );
    const plain = await bed.central();
    const impostor = await bed.central({ tls: await issueServerCertificate(other, ['localhost']) });
    const agent = bed.runner(
      confText({ host: 'localhost', plainPort: plain.port, securePort: impostor.port, secure: true }),
      {
        credential: CREDENTIAL,
        enrollmentToken: undefined,
      },
    );
    void agent.run();
    await until('two failed attempts', () => impostor.tcpConnections >= 2);
    await until('backoff state', () => bed.status().state === 'backoff');
    expect(bed.status()).toMatchObject({
      url: `wss://localhost:${impostor.port}/agent`,
      transport: 'secure',
      lastError:
        'certificate not trusted: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY)',
    });
    expect(bed.log()).toContain(
      'WARN  certificate not trusted: unable to get local issuer certificate (UNABLE_TO_GET_ISSUER_CERT_LOCALLY), retrying in',
    );
    expect(impostor.upgrades).toHaveLength(0);
    expect(plain.tcpConnections).toBe(0);

    // the admin puts the right certificate on the secure port: the agent connects over wss
    const genuine = await bed.central({ tls: await issueServerCertificate(trusted, ['localhost']) });
    bed.writeConf(
      confText({ host: 'localhost', plainPort: plain.port, securePort: genuine.port, secure: true }),
    );
    const session = await genuine.session(0);
    expect(await session.frame('hello')).toMatchObject({ transport: 'secure' });
    await until('connected', () => bed.status().state === 'connected');
    expect(bed.log()).toContain(`INFO  connected via wss to localhost:${genuine.port} (node central-1)`);
    expect(plain.tcpConnections).toBe(0);
  });

  describe('truststore read by content and followed on disk', () => {
    const truststore = () => join(bed.dir, 'conf', 'security', 'truststore.jks');
    const replace = (bytes: Buffer) => {
      writeFileSync(truststore() + '.tmp', bytes);
      renameSync(truststore() + '.tmp', truststore());
    };

    it('connects with PKCS#12 in truststore.jks declared JKS; a replaced file takes effect at the next connection, and a fix wakes the backoff', async () => {
      const [trusted, other] = await Promise.all([createTestCa('Central CA'), createTestCa('Other CA')]);
      const good = writePkcs12Truststore([{ alias: 'central', der: trusted.der }], 'changeit');
      replace(good);
      const central = await bed.central({
        tls: await issueServerCertificate(trusted, ['localhost']),
        onSession: (session) => void session.frame('hello').then(() => session.welcome(), ignore),
      });
      let calls = 0;
      const agent = bed.runner(
        confText({ host: 'localhost', plainPort: 1, securePort: central.port, secure: true }),
        {
          credential: CREDENTIAL,
          enrollmentToken: undefined,
          // the first delay (after central closes) is 0; any later one is 10 s: only a wake-up is quick
          backoff: { baseMs: 20_000, maxMs: 20_000 },
          random: () => (calls++ === 0 ? 0 : 0.5),
          truststorePollMs: 100,
        },
      );
      void agent.run();
      const first = await central.session(0);
      await until('connected', () => bed.status().state === 'connected');
      expect(bed.log()).toMatch(
        /INFO {2}truststore .*truststore\.jks is PKCS12 although its declared type is JKS/,
      );

      // an operator replaces the truststore by one that does not trust central; the connection stays up
      replace(writePkcs12Truststore([{ alias: 'other', der: other.der }], 'changeit'));
      await new Promise((r) => setTimeout(r, 300));
      expect(bed.status().state).toBe('connected');
      // the next connection uses it, and fails
      const attempts = central.tcpConnections;
      first.socket.close(CloseCode.GOING_AWAY, 'central restarting');
      await until('untrusted', () => bed.status().state === 'backoff' && central.tcpConnections > attempts);
      expect(bed.status().lastError).toMatch(/^certificate not trusted/);
      expect(central.sessions).toHaveLength(1);

      // put back: the agent reconnects right away instead of sleeping 10 s
      const fixedAt = Date.now();
      replace(good);
      await central.session(1, 3000);
      await until('connected again', () => bed.status().state === 'connected');
      expect(Date.now() - fixedAt).toBeLessThan(3000);
      expect(bed.log()).toMatch(/INFO {2}truststore .*truststore\.jks changed: reconnecting now/);
    });

    it('logs an unusable truststore once, naming the file and the fix, however often it retries', async () => {
      const ca = await createTestCa('Central CA');
      replace(writeJksTruststore([{ alias: 'central', der: ca.der }], 'not-changeit'));
      const agent = bed.runner(confText({ host: 'localhost', plainPort: 1, securePort: 2, secure: true }), {
        credential: CREDENTIAL,
        enrollmentToken: undefined,
      });
      void agent.run();
      await until('several attempts', () => bed.lines.filter((l) => l.includes('retrying in')).length >= 5);
      const errors = bed.lines.filter((l) => l.includes('ERROR'));
      expect(errors).toEqual([
        expect.stringContaining(
          `ERROR truststore ${truststore()}: keystore password was incorrect (or the file was altered) — set -Djavax.net.ssl.trustStorePassword in jetty.jvm.args to the store's password, retrying in`,
        ),
      ]);
      expect(bed.status()).toMatchObject({
        state: 'backoff',
        lastError: expect.stringContaining('password'),
      });
    });
  });
});
