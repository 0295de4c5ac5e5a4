import { X509Certificate } from 'node:crypto';
import { createCaCertificate } from '../../../../libs/keystore/testing/keystore.js';
import { generateProfileSigningKey, openProfileArchive } from '../../../../libs/profile-archive/index.js';
import { summarizeCertificate } from '../../../../libs/pki/index.js';
import { buildRevisionArchive, type RevisionContent, sameContent } from './profile-revision.content.js';

async function content(): Promise<RevisionContent> {
  const certificates = await Promise.all(
    (['ec', 'rsa'] as const).map(async (kind, i) => {
      const der = await createCaCertificate(kind, `CA ${i}`);
      const pem = new X509Certificate(der).toString();
      return { alias: `ca-${i}`, der, pem, summary: summarizeCertificate(pem) };
    }),
  );
  return {
    agentConf: 'central.host=example.org\n',
    certificates,
    truststorePassword: 'changeit',
    minimumAgentVersion: '0.1.0',
    requiredCapabilities: ['wss'],
  };
}

describe('buildRevisionArchive', () => {
  it('gives the same bytes for the same content, whatever the clock says', async () => {
    const input = await content();
    const { privateKey, publicKey } = generateProfileSigningKey();
    const one = await buildRevisionArchive('p', 1, input, privateKey);
    await new Promise((r) => setTimeout(r, 1100)); // a wall-clock timestamp would now differ
    const two = await buildRevisionArchive('p', 1, input, privateKey);
    expect(two.archive.equals(one.archive)).toBe(true);
    expect(two.sha256).toBe(one.sha256);
    const opened = await openProfileArchive(one.archive, { publicKey, expectedSha256: one.sha256 });
    expect(opened.manifest.requiredCapabilities).toEqual(['wss']);
  });

  it('changes with any part of the content', async () => {
    const input = await content();
    const { privateKey } = generateProfileSigningKey();
    const base = (await buildRevisionArchive('p', 1, input, privateKey)).sha256;
    const variants: RevisionContent[] = [
      { ...input, truststorePassword: 'changeit2' },
      { ...input, certificates: input.certificates.slice(0, 1) },
      { ...input, agentConf: 'central.host=example.net\n' },
      { ...input, minimumAgentVersion: '0.2.0' },
    ];
    for (const variant of variants) {
      expect((await buildRevisionArchive('p', 1, variant, privateKey)).sha256).not.toBe(base);
    }
    expect((await buildRevisionArchive('p', 2, input, privateKey)).sha256).not.toBe(base);
  });

  it('tells whether content equals a stored revision', async () => {
    const input = await content();
    const stored = {
      agentConf: input.agentConf,
      truststore: input.certificates.map((c) => ({
        alias: c.alias,
        fingerprintSha256: c.summary.fingerprintSha256,
        subject: c.summary.subject,
        pem: c.pem,
      })),
      minimumAgentVersion: '0.1.0',
      requiredCapabilities: ['wss'],
    } as Parameters<typeof sameContent>[1];
    expect(sameContent(input, stored)).toBe(true);
    expect(sameContent({ ...input, requiredCapabilities: [] }, stored)).toBe(false);
  });
});
