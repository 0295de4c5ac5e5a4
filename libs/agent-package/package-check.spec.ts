import { createHash, generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarGz } from '../../apps/agent/packaging/tar-gz.js';
import {
  AgentPackageError,
  checkAgentPackage,
  comparePackageVersions,
  PACKAGE_MANIFEST_FORMAT,
  packageManifestBytes,
  readTarGz,
  signPackageManifest,
} from './index.js';

const key = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const when = new Date(Date.UTC(2020, 0, 1));

function archive(version: string, extra: Array<{ path: string; data: Buffer; mode: number }> = []): Buffer {
  const root = `switchyard-agent-${version}`;
  return tarGz(
    [
      { path: `${root}/bin/switchyard-agent`, data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { path: `${root}/lib/switchyard-agent.mjs`, data: Buffer.from('export {};\n'), mode: 0o644 },
      ...extra,
    ],
    when,
  );
}

function signed(bytes: Buffer, version: string, platform = 'node', signer = key.privateKey) {
  const manifestBytes = packageManifestBytes({
    format: PACKAGE_MANIFEST_FORMAT,
    name: 'switchyard-agent',
    version,
    platform,
    minNodeMajor: 20,
    archive: `switchyard-agent-${version}.tar.gz`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.length,
  });
  return {
    archive: bytes,
    manifestBytes,
    signature: signPackageManifest(manifestBytes, signer),
    keys: [key.publicKey],
  };
}

function refusal(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AgentPackageError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

describe('agent package checks', () => {
  it('accepts a signed package and strips its top folder', () => {
    const checked = checkAgentPackage(signed(archive('1.2.3'), '1.2.3'));
    expect(checked.manifest.version).toBe('1.2.3');
    expect(checked.files.filter((f) => !f.folder).map((f) => [f.path, f.mode])).toEqual([
      ['bin/switchyard-agent', 0o755],
      ['lib/switchyard-agent.mjs', 0o644],
    ]);
  });

  it('names what is wrong: tampered archive, other key, edited manifest, platform, layout', () => {
    const good = signed(archive('1.2.3'), '1.2.3');
    const tampered = Buffer.from(good.archive);
    tampered[20] ^= 1;
    expect(refusal(() => checkAgentPackage({ ...good, archive: tampered }))).toEqual({
      field: 'package',
      message: expect.stringContaining('tampered with'),
    });
    expect(
      refusal(() => checkAgentPackage(signed(archive('1.2.3'), '1.2.3', 'node', other.privateKey))),
    ).toEqual({
      field: 'signature',
      message: expect.stringContaining('does not verify'),
    });
    const edited = Buffer.from(
      good.manifestBytes.toString().replace('"minNodeMajor": 20', '"minNodeMajor": 18'),
    );
    expect(refusal(() => checkAgentPackage({ ...good, manifestBytes: edited })).field).toBe('signature');
    expect(refusal(() => checkAgentPackage(signed(archive('1.2.3'), '1.2.3', 'win32-x64')))).toEqual({
      field: 'platform',
      message: 'the package is for platform "win32-x64"; agents here run the "node" package',
    });
    expect(refusal(() => checkAgentPackage(signed(archive('1.2.3'), '1.2.4'))).message).toBe(
      `"switchyard-agent-1.2.3" is outside the package's folder switchyard-agent-1.2.4/`,
    );
    const noLauncher = tarGz(
      [{ path: 'switchyard-agent-1.2.3/lib/switchyard-agent.mjs', data: Buffer.from('x'), mode: 0o644 }],
      when,
    );
    expect(refusal(() => checkAgentPackage(signed(noLauncher, '1.2.3'))).message).toBe(
      'the archive lacks switchyard-agent-1.2.3/bin/switchyard-agent',
    );
    expect(refusal(() => checkAgentPackage({ ...good, manifestBytes: Buffer.from('{}') })).message).toContain(
      'the manifest is invalid: format',
    );
  });

  it('reads only regular files and folders with safe paths', () => {
    const header = (name: string, type: string) => {
      const block = Buffer.alloc(512);
      block.write(name, 0);
      block.write('0000644\0', 100);
      block.write('00000000000\0', 124);
      block.fill(' ', 148, 156);
      block.write(type, 156);
      block.write('ustar\u000000', 257, 'latin1');
      let sum = 0;
      for (const b of block) sum += b;
      block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      return block;
    };
    const tar = (block: Buffer) => gzipSync(Buffer.concat([block, Buffer.alloc(1024)]));
    expect(() => readTarGz(tar(header('switchyard-agent-1.0.0/../../etc/passwd', '0')))).toThrow(
      'unsafe path',
    );
    expect(() => readTarGz(tar(header('/etc/passwd', '0')))).toThrow('unsafe path');
    expect(() => readTarGz(tar(header('switchyard-agent-1.0.0/link', '2')))).toThrow(
      'not a regular file or folder',
    );
    const bad = header('a', '0');
    bad[0] = 'b'.charCodeAt(0);
    expect(() => readTarGz(tar(bad))).toThrow('bad checksum');
    expect(() => readTarGz(Buffer.from('not gzip'))).toThrow('not a gzip file');
  });

  it('orders versions as semver does', () => {
    expect(comparePackageVersions('1.0.0', '0.9.9')).toBeGreaterThan(0);
    expect(comparePackageVersions('1.0.0-rc.1', '1.0.0')).toBeLessThan(0);
    expect(comparePackageVersions('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(comparePackageVersions('2.0.0', '2.0.0')).toBe(0);
  });
});
