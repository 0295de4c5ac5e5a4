import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import {
  buildProfileArchive,
  generateProfileSigningKey,
  openProfileArchive,
  ProfileArchiveErrorCode as Code,
  type ProfileSigningKeyPair,
  signManifest,
} from './index.js';
import {
  AGENT_CONF,
  craftProfileArchive,
  file,
  refusal,
  sampleInput,
  TRUSTSTORE_JKS,
} from './testing/profile-archive.js';
import { craftZip, tripwireBomb, zeroBomb } from './testing/zip.js';

const MiB = 1024 * 1024;

describe('openProfileArchive', () => {
  let central: ProfileSigningKeyPair;
  let impostor: ProfileSigningKeyPair;
  const open = (archive: Buffer, more: Partial<Parameters<typeof openProfileArchive>[1]> = {}) =>
    openProfileArchive(archive, { publicKey: central.publicKey, ...more });
  const refused = (archive: Buffer, more: Partial<Parameters<typeof openProfileArchive>[1]> = {}) =>
    refusal(open(archive, more));
  const craft = (entries: Parameters<typeof craftProfileArchive>[0], more: object = {}) =>
    craftProfileArchive(entries, { key: central.privateKey, ...more });

  beforeAll(() => {
    central = generateProfileSigningKey();
    impostor = generateProfileSigningKey();
  });

  describe('accepts', () => {
    it('what buildProfileArchive wrote: the files, the manifest and the sha256', async () => {
      const built = await buildProfileArchive(sampleInput(), central.privateKey);
      const opened = await open(built.archive, { expectedSha256: built.sha256.toUpperCase() });
      expect(opened.manifest).toEqual(built.manifest);
      expect(opened.sha256).toBe(built.sha256);
      expect([...opened.files.keys()]).toEqual([
        'conf/agent.conf',
        'conf/security/truststore.jks',
        'conf/security/truststore.p12',
      ]);
      for (const { path, bytes } of sampleInput().files) expect(opened.files.get(path)).toEqual(bytes);
    });

    it('a hand-made archive with a deflated entry and non-ASCII UTF-8 names', async () => {
      const archive = craft([
        file('conf/agent.conf', deflateRawSync(AGENT_CONF), { method: 8, plain: AGENT_CONF }),
        file('conf/notes-é.txt', Buffer.from('notes')),
      ]);
      const opened = await open(archive);
      expect(opened.files.get('conf/agent.conf')).toEqual(AGENT_CONF);
      expect(opened.files.get('conf/notes-é.txt')).toEqual(Buffer.from('notes'));
    });
  });

  describe('refuses a substituted or forged archive', () => {
    it('whose sha256 is not the announced one', async () => {
      const built = await buildProfileArchive(sampleInput(), central.privateKey);
      const other = 'ab'.repeat(32);
      expect(await refused(built.archive, { expectedSha256: other })).toMatchObject({
        code: Code.SHA256_MISMATCH,
        message: `archive sha256 is ${built.sha256}, expected ${other}`,
      });
    });

    it('signed by another key', async () => {
      const built = await buildProfileArchive(sampleInput(), impostor.privateKey);
      const error = await refused(built.archive);
      expect(error.code).toBe(Code.SIGNATURE_INVALID);
      expect(error.message).toMatch(
        /^entry "manifest.sig" is not a signature of manifest.json by the pinned profile-signing key [0-9a-f]{16}$/,
      );
    });

    it('whose manifest was changed after signing', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        tamperManifest: (bytes: Buffer) =>
          Buffer.from(bytes.toString().replace('"revision": 1', '"revision": 9')),
      });
      expect(await refused(archive)).toMatchObject({ code: Code.SIGNATURE_INVALID });
    });

    it('whose file was changed after signing', async () => {
      const built = await buildProfileArchive(sampleInput(), central.privateKey);
      const tampered = Buffer.from(built.archive);
      const at = tampered.indexOf('central.websocket.secure=false');
      tampered.write('central.websocket.secure=fals3', at);
      expect(await refused(tampered)).toMatchObject({
        code: Code.FILE_HASH_MISMATCH,
        message: expect.stringMatching(
          /^entry "conf\/agent.conf" has sha256 [0-9a-f]{64}; manifest.json lists [0-9a-f]{64}$/,
        ),
      });
    });

    it('without manifest.json', async () => {
      expect(
        await refused(craft([file('conf/agent.conf', AGENT_CONF)], { omitManifest: true })),
      ).toMatchObject({
        code: Code.MANIFEST_MISSING,
        message: 'archive has no manifest.json',
      });
    });

    it('without manifest.sig', async () => {
      expect(
        await refused(craft([file('conf/agent.conf', AGENT_CONF)], { omitSignature: true })),
      ).toMatchObject({
        code: Code.SIGNATURE_MISSING,
        message: 'archive has no manifest.sig',
      });
    });

    it('whose manifest.sig is not 64 bytes', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], { signature: Buffer.alloc(10) });
      expect(await refused(archive)).toMatchObject({
        code: Code.SIGNATURE_INVALID,
        message: 'entry "manifest.sig" declares 10 bytes; an Ed25519 signature is 64',
      });
    });

    it('whose signed manifest breaks the schema', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        manifest: { minimumAgentVersion: 'latest' },
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.MANIFEST_INVALID,
        message: 'manifest.json is not a valid manifest: minimumAgentVersion: must be a version like 1.4.0',
      });
    });

    it('whose signed manifest is not canonical JSON', async () => {
      const key = central.privateKey;
      const loose = Buffer.from('{"formatVersion":1}');
      const archive = craftZip([
        file('manifest.json', loose),
        file('manifest.sig', signManifest(loose, key)),
      ]);
      expect(await refused(archive)).toMatchObject({ code: Code.MANIFEST_INVALID });
      const reordered = Buffer.from(
        JSON.stringify(
          {
            revision: 1,
            formatVersion: 1,
            profile: 'p',
            minimumAgentVersion: '1.0.0',
            requiredCapabilities: [],
            files: {},
          },
          null,
          2,
        ) + '\n',
      );
      const archive2 = craftZip([
        file('manifest.json', reordered),
        file('manifest.sig', signManifest(reordered, key)),
      ]);
      expect(await refused(archive2)).toMatchObject({
        code: Code.MANIFEST_INVALID,
        message: 'manifest.json is not in canonical form (sorted keys, two-space indent)',
      });
    });

    it('with a file the manifest does not list', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file('conf/extra.conf', Buffer.from('x=1\n'))],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.FILE_NOT_LISTED,
        message: 'entry "conf/extra.conf" is not listed in manifest.json',
      });
    });

    it('without a file the manifest lists', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        manifest: {
          files: {
            'conf/agent.conf': { sha256: sha256(AGENT_CONF), size: AGENT_CONF.length },
            'conf/security/truststore.jks': { sha256: sha256(TRUSTSTORE_JKS), size: TRUSTSTORE_JKS.length },
          },
        },
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.FILE_MISSING,
        message: 'file "conf/security/truststore.jks" is listed in manifest.json but not in the archive',
      });
    });

    it('whose entry declares another size than the manifest lists', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        manifest: { files: { 'conf/agent.conf': { sha256: sha256(AGENT_CONF), size: 5 } } },
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.FILE_HASH_MISMATCH,
        message: `entry "conf/agent.conf" declares ${AGENT_CONF.length} bytes; manifest.json lists 5`,
      });
    });
  });

  describe('refuses unsafe entry names', () => {
    it.each([
      ['../evil.sh', `has a '..' segment`],
      ['conf/../../evil.sh', `has a '..' segment`],
      ['/etc/cron.d/evil', 'is an absolute path'],
      ['conf\\..\\..\\evil.bat', 'has a backslash in its path'],
      ['C:/Windows/evil.dll', 'starts with a drive letter'],
      ['c:evil.dll', 'starts with a drive letter'],
      ['conf/agent.conf:stream', "has a ':' in its path"],
      ['conf//agent.conf', 'has an empty path segment'],
      ['./conf/agent.conf', "has a '.' segment"],
      ['conf/agent\u0000.conf', 'has a control character in its name'],
    ])('%j', async (name, reason) => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file(name, Buffer.from('x'))],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.UNSAFE_PATH,
        message: `entry ${JSON.stringify(name)} ${reason}`,
      });
    });

    it('that are not valid UTF-8', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file(Buffer.from([0x63, 0x6f, 0x6e, 0x66, 0x2f, 0xff, 0xfe]), Buffer.from('x'))],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.NAME_NOT_UTF8,
        message: 'entry "conf/ÿþ" has a name that is not valid UTF-8 (hex 636f6e662ffffe)',
      });
    });

    it('that are non-ASCII without the UTF-8 flag', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file('conf/é.txt', Buffer.from('x'), { flags: 0 })],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.NAME_NOT_UTF8,
        message:
          'entry "conf/é.txt" has a non-ASCII name without the UTF-8 flag (other tools would read it as CP437)',
      });
    });

    it('with a second name in a Unicode path extra field', async () => {
      const name = Buffer.from('../evil.sh');
      const field = Buffer.alloc(9);
      field.writeUInt16LE(0x7075, 0);
      field.writeUInt16LE(5 + name.length, 2);
      field.writeUInt8(1, 4);
      const archive = craft([file('conf/agent.conf', AGENT_CONF, { extra: Buffer.concat([field, name]) })]);
      expect(await refused(archive)).toMatchObject({
        code: Code.UNSUPPORTED_ENTRY,
        message: 'entry "conf/agent.conf" carries a second (Unicode path) name',
      });
    });

    it('exactly duplicated', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file('conf/agent.conf', Buffer.from('central.host=evil\n'))],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.DUPLICATE_ENTRY,
        message: 'entry "conf/agent.conf" appears twice',
      });
    });

    it('duplicated but for letter case', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file('CONF/Agent.conf', Buffer.from('central.host=evil\n'))],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.DUPLICATE_ENTRY,
        message: 'entry "CONF/Agent.conf" differs from entry "conf/agent.conf" only in case',
      });
    });

    it('whose local header names another file than the central directory', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF, { localName: '../../evil.sh' })]);
      expect(await refused(archive)).toMatchObject({
        code: Code.CORRUPT,
        message: 'entry "conf/agent.conf" has a local header that disagrees with the central directory',
      });
    });
  });

  describe('refuses entries that are not plain regular files', () => {
    it.each([
      ['a symlink', 0o120777],
      ['a directory', 0o040755],
      ['a FIFO', 0o010644],
      ['a character device', 0o020644],
      ['a block device', 0o060644],
      ['a socket', 0o140755],
    ])('%s (unix mode in the external attributes)', async (kind, mode) => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [file('conf/link', Buffer.from('/etc/shadow'), { externalAttributes: (mode << 16) >>> 0 })],
      });
      expect(await refused(archive)).toMatchObject({
        code: Code.NOT_A_REGULAR_FILE,
        message: `entry "conf/link" is ${kind}; only regular files are allowed`,
      });
    });

    it('a symlink even from a zip that claims a DOS origin', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF)], {
        unlisted: [
          file('conf/link', Buffer.from('/etc'), {
            versionMadeBy: 0x0014,
            externalAttributes: (0o120777 << 16) >>> 0,
          }),
        ],
      });
      expect(await refused(archive)).toMatchObject({ code: Code.NOT_A_REGULAR_FILE });
    });

    it('a directory marked by a trailing slash or the DOS attribute', async () => {
      for (const entry of [
        file('conf/', Buffer.alloc(0), { externalAttributes: 0 }),
        file('conf/sub', Buffer.alloc(0), { versionMadeBy: 0x0014, externalAttributes: 0x10 }),
      ]) {
        const archive = craft([file('conf/agent.conf', AGENT_CONF)], { unlisted: [entry] });
        expect(await refused(archive)).toMatchObject({
          code: Code.NOT_A_REGULAR_FILE,
          message: `entry ${JSON.stringify(entry.name)} is a directory; only regular files are allowed`,
        });
      }
    });

    it.each([
      ['traditional encryption', { flags: 0x0801 }],
      ['WinZip AES (method 99)', { method: 99 }],
      ['masked local headers', { flags: 0x2800 }],
    ])('encrypted with %s', async (_kind, more) => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF, more)]);
      expect(await refused(archive)).toMatchObject({
        code: Code.ENCRYPTED_ENTRY,
        message: 'entry "conf/agent.conf" is encrypted',
      });
    });

    it('with strong encryption, which yauzl itself refuses', async () => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF, { flags: 0x0841 })]);
      expect(await refused(archive)).toMatchObject({
        code: Code.ENCRYPTED_ENTRY,
        message: 'archive central directory is unreadable: strong encryption is not supported',
      });
    });

    it.each([12, 14, 93])('compressed with method %i', async (method) => {
      const archive = craft([file('conf/agent.conf', AGENT_CONF, { method })]);
      expect(await refused(archive)).toMatchObject({
        code: Code.UNSUPPORTED_COMPRESSION,
        message: `entry "conf/agent.conf" uses compression method ${method}; only stored (0) and deflate (8) are supported`,
      });
    });

    it.each([
      ['a zip', craftZip([file('inner.txt', Buffer.from('x'))]), 'zip (or jar)'],
      ['a gzip file', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), 'gzip'],
      [
        'a tar file',
        Buffer.concat([Buffer.alloc(257), Buffer.from('ustar\u000000'), Buffer.alloc(100)]),
        'tar',
      ],
    ])('holding %s, even when signed and listed', async (_kind, inner, detected) => {
      const archive = craft([file('conf/security/truststore.jks', inner)]);
      expect(await refused(archive)).toMatchObject({
        code: Code.NESTED_ARCHIVE,
        message: `entry "conf/security/truststore.jks" is itself an archive (${detected})`,
      });
    });
  });

  describe('refuses archives past the limits', () => {
    it('with 65 entries', async () => {
      const entries = Array.from({ length: 63 }, (_, i) => file(`conf/f${i}.txt`, Buffer.from(`${i}`)));
      const error = await refused(craft(entries));
      expect(error).toMatchObject({
        code: Code.TOO_MANY_ENTRIES,
        message: 'archive has 65 entries; at most 64 are allowed',
      });
      // One fewer passes: the limit is 64 entries, manifest.json and manifest.sig included.
      await expect(open(craft(entries.slice(1)))).resolves.toBeDefined();
    });

    it('with fewer entries than a lower configured limit allows', async () => {
      const archive = craft([file('conf/a', Buffer.from('a')), file('conf/b', Buffer.from('b'))]);
      expect(await refused(archive, { limits: { maxEntries: 3 } })).toMatchObject({
        code: Code.TOO_MANY_ENTRIES,
        message: 'archive has 4 entries; at most 3 are allowed',
      });
    });

    it('declaring 1 GiB, before inflating anything (its data would not inflate at all)', async () => {
      const archive = craft([
        file('conf/bomb.bin', tripwireBomb(0), {
          method: 8,
          uncompressedSize: 1024 * MiB,
          plain: Buffer.alloc(0),
        }),
      ]);
      expect(await refused(archive)).toMatchObject({
        code: Code.UNPACKED_TOO_LARGE,
        message: `entry "conf/bomb.bin" declares ${1024 * MiB} bytes, taking the archive past ${10 * MiB} unpacked bytes`,
      });
    });

    it('declaring 10 MiB in total over several entries', async () => {
      const entries = Array.from({ length: 3 }, (_, i) =>
        file(`conf/part${i}`, zeroBomb(4), { method: 8, uncompressedSize: 4 * MiB, plain: Buffer.alloc(0) }),
      );
      expect(await refused(craft(entries))).toMatchObject({
        code: Code.UNPACKED_TOO_LARGE,
        message: `entry "conf/part2" declares ${4 * MiB} bytes, taking the archive past ${10 * MiB} unpacked bytes`,
      });
    });

    it('whose signed entry lies about its size: inflation stops at the declared size', async () => {
      // Declared as 1 KiB; inflating on past the first MiB would hit invalid data instead of this refusal.
      const bomb = tripwireBomb(1);
      const archive = craft([
        file('conf/bomb.bin', bomb, { method: 8, uncompressedSize: 1024, plain: Buffer.alloc(0) }),
      ]);
      expect(await refused(archive)).toMatchObject({
        code: Code.ENTRY_SIZE_MISMATCH,
        message: 'entry "conf/bomb.bin" unpacks to more than the 1024 bytes it declares (a zip bomb?)',
      });
    });

    it('whose unsigned manifest.json is a bomb: inflation stops at its declared size, before any signature check', async () => {
      const bomb = tripwireBomb(1); // invalid after its first MiB
      const archive = craftZip([
        file('manifest.json', bomb, { method: 8, uncompressedSize: 200 * 1024 }),
        file('manifest.sig', Buffer.alloc(64)),
      ]);
      expect(await refused(archive)).toMatchObject({
        code: Code.ENTRY_SIZE_MISMATCH,
        message: `entry "manifest.json" unpacks to more than the ${200 * 1024} bytes it declares (a zip bomb?)`,
      });
    });

    it('whose manifest.json declares more than the manifest limit', async () => {
      const archive = craftZip([
        file('manifest.json', zeroBomb(1), { method: 8, uncompressedSize: MiB }),
        file('manifest.sig', Buffer.alloc(64)),
      ]);
      expect(await refused(archive)).toMatchObject({
        code: Code.UNPACKED_TOO_LARGE,
        message: `entry "manifest.json" declares ${MiB} bytes; at most ${256 * 1024} are allowed`,
      });
    });

    it('whose entry unpacks to fewer bytes than it declares', async () => {
      const archive = craft([
        file('conf/agent.conf', deflateRawSync(AGENT_CONF), {
          method: 8,
          plain: AGENT_CONF,
          uncompressedSize: 4096,
        }),
      ]);
      expect(await refused(archive)).toMatchObject({
        code: Code.ENTRY_SIZE_MISMATCH,
        message: `entry "conf/agent.conf" unpacks to ${AGENT_CONF.length} bytes but declares 4096`,
      });
    });
  });

  describe('refuses broken zips', () => {
    it.each([
      ['random bytes', Buffer.from('this is not a zip archive at all, just text')],
      ['an empty buffer', Buffer.alloc(0)],
    ])('%s', async (_kind, bytes) => {
      const error = await refused(bytes);
      expect(error.code).toBe(Code.CORRUPT);
      expect(error.message).toMatch(/^archive is not a readable zip: /);
    });

    it('truncated at any point', async () => {
      const built = await buildProfileArchive(sampleInput(), central.privateKey);
      for (let length = 0; length < built.archive.length; length += 7) {
        const error = await refused(built.archive.subarray(0, length));
        expect(error.code).toBe(Code.CORRUPT);
      }
    });

    it('with broken deflate data', async () => {
      const archive = craft([
        file('conf/agent.conf', Buffer.from([0xff, 0xff, 0xff, 0xff]), { method: 8, plain: AGENT_CONF }),
      ]);
      const error = await refused(archive);
      expect(error.code).toBe(Code.CORRUPT);
      expect(error.message).toMatch(/^entry "conf\/agent.conf" has broken deflate data: /);
    });
  });

  it('refuses a private key where the pinned public key belongs', async () => {
    const built = await buildProfileArchive(sampleInput(), central.privateKey);
    expect(await refusal(openProfileArchive(built.archive, { publicKey: central.privateKey }))).toMatchObject(
      {
        code: Code.INVALID_INPUT,
      },
    );
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
