import { createHash, generateKeyPairSync } from 'node:crypto';
import yauzl, { type Entry } from 'yauzl';
import { writeJksTruststore, writePkcs12Truststore } from '../keystore/index.js';
import { createCaCertificate } from '../keystore/testing/keystore.js';
import {
  buildProfileArchive,
  generateProfileSigningKey,
  manifestSha256,
  openProfileArchive,
  ProfileArchiveErrorCode as Code,
  type ProfileArchiveInput,
  type ProfileSigningKeyPair,
  truststoreMacSalt,
  verifyManifestSignature,
} from './index.js';
import { AGENT_CONF, refusal, sampleInput } from './testing/profile-archive.js';
import { craftZip } from './testing/zip.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readEntries(archive: Buffer): Promise<Array<{ entry: Entry; data: Buffer }>> {
  const zip = await yauzl.fromBufferPromise(archive, { lazyEntries: true });
  const result: Array<{ entry: Entry; data: Buffer }> = [];
  for await (const entry of zip.eachEntry()) {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    result.push({ entry, data: Buffer.concat(chunks) });
  }
  return result;
}

describe('buildProfileArchive', () => {
  let central: ProfileSigningKeyPair;
  const build = (input: ProfileArchiveInput) => buildProfileArchive(input, central.privateKey);
  const refused = (input: ProfileArchiveInput) => refusal(build(input));

  beforeAll(() => {
    central = generateProfileSigningKey();
  });

  describe('is deterministic', () => {
    it('the same content twice gives byte-identical archives', async () => {
      const [first, second] = [await build(sampleInput()), await build(sampleInput())];
      expect(first.archive.equals(second.archive)).toBe(true);
      expect(first.sha256).toBe(second.sha256);
      expect(first.sha256).toBe(sha256(first.archive));
    });

    it('the order files and capabilities are given in is not content', async () => {
      const input = sampleInput({ requiredCapabilities: ['wss', 'mtls'] });
      const shuffled = sampleInput({
        files: [...input.files].reverse(),
        requiredCapabilities: ['mtls', 'wss', 'mtls'],
      });
      expect((await build(shuffled)).sha256).toBe((await build(input)).sha256);
    });

    it('different content gives a different archive', async () => {
      const base = (await build(sampleInput())).sha256;
      const changedConf = sampleInput();
      changedConf.files[0] = {
        path: 'conf/agent.conf',
        bytes: Buffer.concat([AGENT_CONF, Buffer.from('x=1\n')]),
      };
      const variants = [
        changedConf,
        sampleInput({ revision: 4 }),
        sampleInput({ profile: 'other' }),
        sampleInput({ minimumAgentVersion: '1.3.0' }),
        sampleInput({ requiredCapabilities: [] }),
      ];
      const hashes = await Promise.all(variants.map(async (input) => (await build(input)).sha256));
      expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
    });

    it('with real truststores, a JKS timestamp and a PKCS#12 salt fixed by the content', async () => {
      const certs = [{ alias: 'central-ca', der: await createCaCertificate('ec', 'Profile CA') }];
      const revision = () =>
        sampleInput({
          files: [
            { path: 'conf/agent.conf', bytes: AGENT_CONF },
            {
              path: 'conf/security/truststore.jks',
              bytes: writeJksTruststore(certs, 'changeit', { timestamp: new Date(0) }),
            },
            {
              path: 'conf/security/truststore.p12',
              bytes: writePkcs12Truststore(certs, 'changeit', { salt: truststoreMacSalt(certs) }),
            },
          ],
        });
      expect((await build(revision())).sha256).toBe((await build(revision())).sha256);
    });
  });

  describe('writes', () => {
    it('sorted, stored entries with one timestamp and mode, and nothing else that varies', async () => {
      const entries = await readEntries((await build(sampleInput())).archive);
      expect(entries.map(({ entry }) => entry.fileName)).toEqual([
        'conf/agent.conf',
        'conf/security/truststore.jks',
        'conf/security/truststore.p12',
        'manifest.json',
        'manifest.sig',
      ]);
      for (const { entry } of entries) {
        expect(entry.compressionMethod).toBe(0);
        // The DOS date and time are the only time-bearing bytes (no extended-timestamp extra field), and they
        // hold 1980-01-01 00:00 as plain fields: neither the clock nor the time zone can change them. (Jest
        // gives each test file a copy of process.env, so TZ cannot be switched in-process to show it.)
        expect(entry.lastModFileDate).toBe((0 << 9) | (1 << 5) | 1);
        expect(entry.lastModFileTime).toBe(0);
        expect(entry.externalFileAttributes >>> 16).toBe(0o100644);
        expect(entry.versionMadeBy >> 8).toBe(3); // Unix, so the mode is read as one
        expect(entry.extraFieldLength).toBe(0); // no extended timestamp
        expect(entry.fileCommentLength).toBe(0);
        expect(entry.generalPurposeBitFlag).toBe(0x0800); // UTF-8 names, no data descriptor
      }
    });

    it('a canonical manifest without timestamps, signed over its exact bytes', async () => {
      const built = await build(sampleInput());
      const entries = await readEntries(built.archive);
      const manifestJson = entries.find(({ entry }) => entry.fileName === 'manifest.json')!.data;
      const signature = entries.find(({ entry }) => entry.fileName === 'manifest.sig')!.data;
      expect(manifestJson.toString()).toBe(
        [
          '{',
          '  "files": {',
          '    "conf/agent.conf": {',
          `      "sha256": "${sha256(AGENT_CONF)}",`,
          `      "size": ${AGENT_CONF.length}`,
          '    },',
          '    "conf/security/truststore.jks": {',
          `      "sha256": "${sha256(sampleInput().files[1]!.bytes)}",`,
          '      "size": 48',
          '    },',
          '    "conf/security/truststore.p12": {',
          `      "sha256": "${sha256(sampleInput().files[2]!.bytes)}",`,
          '      "size": 42',
          '    }',
          '  },',
          '  "formatVersion": 1,',
          '  "minimumAgentVersion": "1.2.0",',
          '  "profile": "branch-default",',
          '  "requiredCapabilities": [',
          '    "wss"',
          '  ],',
          '  "revision": 3',
          '}',
          '',
        ].join('\n'),
      );
      expect(signature).toHaveLength(64);
      expect(verifyManifestSignature(manifestJson, signature, central.publicKey)).toBe(true);
      expect(manifestSha256(built.manifest)).toBe(sha256(manifestJson));
    });

    it('archives that extract with a stock zip reader and open with our opener', async () => {
      const built = await build(sampleInput());
      const entries = await readEntries(built.archive);
      for (const { path, bytes } of sampleInput().files) {
        expect(entries.find(({ entry }) => entry.fileName === path)!.data).toEqual(bytes);
      }
      await expect(
        openProfileArchive(built.archive, { publicKey: central.publicKey }),
      ).resolves.toBeDefined();
    });
  });

  describe('refuses input the opener would refuse', () => {
    const withFiles = (...files: Array<[string, Buffer]>) =>
      sampleInput({ files: files.map(([path, bytes]) => ({ path, bytes })) });

    it.each([
      [
        'no files',
        sampleInput({ files: [] }),
        Code.INVALID_INPUT,
        'a profile archive needs at least one file',
      ],
      [
        'a path with ..',
        withFiles(['conf/../evil', AGENT_CONF]),
        Code.UNSAFE_PATH,
        `entry "conf/../evil" has a '..' segment`,
      ],
      [
        'an absolute path',
        withFiles(['/etc/passwd', AGENT_CONF]),
        Code.UNSAFE_PATH,
        'entry "/etc/passwd" is an absolute path',
      ],
      [
        'a name with an unpaired surrogate',
        withFiles(['conf/\ud800.conf', AGENT_CONF]),
        Code.UNSAFE_PATH,
        'entry "conf/\\ud800.conf" has an unpaired surrogate in its name',
      ],
      [
        'the manifest name',
        withFiles(['manifest.json', AGENT_CONF]),
        Code.INVALID_INPUT,
        'file "manifest.json" uses a name the archive reserves for itself',
      ],
      [
        'the signature name in other case',
        withFiles(['Manifest.SIG', AGENT_CONF]),
        Code.INVALID_INPUT,
        'file "Manifest.SIG" uses a name the archive reserves for itself',
      ],
      [
        'the same file twice',
        withFiles(['conf/agent.conf', AGENT_CONF], ['conf/agent.conf', AGENT_CONF]),
        Code.DUPLICATE_ENTRY,
        'file "conf/agent.conf" is given twice',
      ],
      [
        'names differing only in case',
        withFiles(['conf/agent.conf', AGENT_CONF], ['conf/Agent.conf', AGENT_CONF]),
        Code.DUPLICATE_ENTRY,
        'file "conf/Agent.conf" differs from file "conf/agent.conf" only in case',
      ],
      [
        'a nested zip',
        withFiles(['conf/security/truststore.jks', craftZip([])]),
        Code.NESTED_ARCHIVE,
        'file "conf/security/truststore.jks" is itself an archive (zip (or jar))',
      ],
      [
        'a nested bzip2 file',
        withFiles(['conf/data.bin', Buffer.from('BZh91AY&SY')]),
        Code.NESTED_ARCHIVE,
        'file "conf/data.bin" is itself an archive (bzip2)',
      ],
      [
        '63 files (65 entries with the manifest and signature)',
        withFiles(
          ...Array.from({ length: 63 }, (_, i): [string, Buffer] => [`conf/f${i}`, Buffer.from('x')]),
        ),
        Code.TOO_MANY_ENTRIES,
        'archive would have 65 entries (files, manifest.json, manifest.sig); at most 64 are allowed',
      ],
      [
        'more than 10 MiB',
        withFiles(['conf/big.bin', Buffer.alloc(10 * 1024 * 1024, 1)]),
        Code.UNPACKED_TOO_LARGE,
        expect.stringMatching(/^archive would unpack to \d+ bytes; at most 10485760 are allowed$/),
      ],
      [
        'an empty profile name',
        sampleInput({ profile: '' }),
        Code.INVALID_INPUT,
        expect.stringMatching(/^manifest field profile: /),
      ],
      [
        'revision 0',
        sampleInput({ revision: 0 }),
        Code.INVALID_INPUT,
        expect.stringMatching(/^manifest field revision: /),
      ],
      [
        'a version that is not semantic',
        sampleInput({ minimumAgentVersion: 'v1' }),
        Code.INVALID_INPUT,
        'manifest field minimumAgentVersion: must be a version like 1.4.0',
      ],
      [
        'an empty capability',
        sampleInput({ requiredCapabilities: [''] }),
        Code.INVALID_INPUT,
        expect.stringMatching(/^manifest field requiredCapabilities\.0: /),
      ],
    ])('%s', async (_name, input, code, message) => {
      expect(await refused(input)).toMatchObject({ code, message });
    });

    it('accepts 62 files (64 entries)', async () => {
      const files = Array.from({ length: 62 }, (_, i) => ({ path: `conf/f${i}`, bytes: Buffer.from('x') }));
      const built = await build(sampleInput({ files }));
      await expect(
        openProfileArchive(built.archive, { publicKey: central.publicKey }),
      ).resolves.toBeDefined();
    });

    it.each([
      ['the public key', () => central.publicKey, 'cannot sign with a ed25519 public key'],
      [
        'an RSA key',
        () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
        'cannot sign with a rsa private key',
      ],
    ])('signing with %s', async (_name, key, message) => {
      expect(await refusal(buildProfileArchive(sampleInput(), key()))).toMatchObject({
        code: Code.INVALID_INPUT,
        message: `${message}: the profile-signing key must be an Ed25519 private key`,
      });
    });
  });
});
