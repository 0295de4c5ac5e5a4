import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_MANIFEST_FORMAT, packageManifestBytes } from '../../../../libs/agent-package/index.js';
import type { AgentUpgrade } from '../../../../libs/protocol/index.js';
import { tarGz } from '../../packaging/tar-gz.js';
import { AgentHome } from '../agent-home.js';
import { checkUpgrade, installPackage, UpgradeRefused } from './package-installer.js';
import { UpgradeLayout } from './upgrade-layout.js';

const central = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');

function upgradeOf(version: string, signer = central.privateKey, platform = 'node') {
  const root = `switchyard-agent-${version}`;
  const archive = tarGz(
    [
      { path: `${root}/bin/switchyard-agent`, data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { path: `${root}/lib/switchyard-agent.mjs`, data: Buffer.from(`// ${version}\n`), mode: 0o644 },
    ],
    new Date(Date.UTC(2020, 0, 1)),
  );
  const sha256 = createHash('sha256').update(archive).digest('hex');
  const manifest = packageManifestBytes({
    format: PACKAGE_MANIFEST_FORMAT,
    name: 'switchyard-agent',
    version,
    platform,
    minNodeMajor: 20,
    archive: `${root}.tar.gz`,
    sha256,
    sizeBytes: archive.length,
  });
  const frame: AgentUpgrade = {
    type: 'agent.upgrade',
    deliveryId: 'd:1',
    version,
    sha256,
    sizeBytes: archive.length,
    manifest: manifest.toString(),
    signature: sign(null, manifest, signer).toString('base64'),
  };
  return { archive, frame };
}

describe('agent upgrade: checks and install beside the running version', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'sy-upgrade-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('checks central’s signature with the pinned key, the platform and that it is not the running version', () => {
    expect(() => checkUpgrade(upgradeOf('1.0.0').frame, central.publicKey, '0.9.0')).not.toThrow();
    const refuse = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(UpgradeRefused);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(
      refuse(() => checkUpgrade(upgradeOf('1.0.0', stranger.privateKey).frame, central.publicKey, '0.9.0')),
    ).toBe("the package manifest's signature does not match the pinned profile-signing key");
    expect(refuse(() => checkUpgrade(upgradeOf('1.0.0').frame, undefined, '0.9.0'))).toContain(
      'no profile-signing key',
    );
    expect(
      refuse(() =>
        checkUpgrade(upgradeOf('1.0.0', central.privateKey, 'win32-x64').frame, central.publicKey, '0.9.0'),
      ),
    ).toContain('platform "win32-x64"');
    const { frame } = upgradeOf('1.0.0');
    expect(refuse(() => checkUpgrade({ ...frame, version: '1.0.1' }, central.publicKey, '0.9.0'))).toContain(
      'not what agent.upgrade names',
    );
    expect(refuse(() => checkUpgrade(frame, central.publicKey, '1.0.0'))).toBe(
      'version 1.0.0 is already running',
    );
  });

  it('installs into versions/<version>/ whole, leaving nothing half-installed on a bad archive', () => {
    const layout = new UpgradeLayout(new AgentHome(home));
    const { archive, frame } = upgradeOf('1.0.0');
    const dir = installPackage(layout, archive, frame, '0.9.0');
    expect(dir).toBe(join(home, 'versions', '1.0.0'));
    expect(readFileSync(join(dir, 'lib', 'switchyard-agent.mjs'), 'utf8')).toBe('// 1.0.0\n');
    expect(statSync(join(dir, 'bin', 'switchyard-agent')).mode & 0o777).toBe(0o755);

    const next = upgradeOf('1.1.0');
    const cut = next.archive.subarray(0, next.archive.length - 10);
    expect(() => installPackage(layout, cut, next.frame, '1.0.0')).toThrow('is not the signed one');
    expect(existsSync(join(home, 'versions', '1.1.0'))).toBe(false);
    expect(readdirSync(join(home, 'versions')).sort()).toEqual(['1.0.0']);
  });

  it('keeps trial and rollback notes the launcher can read line by line', () => {
    const layout = new UpgradeLayout(new AgentHome(home));
    layout.writeTrial({ version: '1.0.0', previous: '0.9.0', deliveryId: 'r:1', timeoutMs: 20_000 });
    expect(readFileSync(layout.trialFile, 'utf8')).toBe(
      'version=1.0.0\nprevious=0.9.0\ndeliveryId=r:1\ntimeoutMs=20000\n',
    );
    expect(layout.readTrial()).toEqual({
      version: '1.0.0',
      previous: '0.9.0',
      deliveryId: 'r:1',
      timeoutMs: 20_000,
    });
    layout.setCurrent('1.0.0');
    expect(layout.current()).toBe('1.0.0');
    expect(() => layout.versionDir('../x')).toThrow('is not a version');
  });
});
