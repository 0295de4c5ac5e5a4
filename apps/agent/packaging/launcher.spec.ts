import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package launcher (bin/switchyard-agent) decides which version runs and goes back from a failed
// trial (ADR 45). Here "node" is /bin/sh and the bundles are shell scripts saying who they are, so the
// launcher's own logic is what is tested, in milliseconds.
const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'files', 'switchyard-agent.sh');

describe('the package launcher: versions/current, trials and going back', () => {
  let pkg: string;
  const bundle = (path: string, script: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, script);
  };
  const run = (args: string[] = [], env: Record<string, string> = {}) => {
    const r = spawnSync(join(pkg, 'bin', 'switchyard-agent'), args, {
      env: { PATH: '/usr/bin:/bin', SWITCHYARD_NODE: '/bin/sh', ...env },
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const versions = (...parts: string[]) => join(pkg, 'versions', ...parts);

  beforeEach(() => {
    pkg = mkdtempSync(join(tmpdir(), 'sy-launcher-'));
    mkdirSync(join(pkg, 'bin'));
    copyFileSync(LAUNCHER, join(pkg, 'bin', 'switchyard-agent'));
    chmodSync(join(pkg, 'bin', 'switchyard-agent'), 0o755);
    bundle(
      join(pkg, 'lib', 'switchyard-agent.mjs'),
      'echo "package $* home=$SWITCHYARD_AGENT_HOME launcher=$SWITCHYARD_AGENT_LAUNCHER"\n',
    );
  });
  afterEach(() => rmSync(pkg, { recursive: true, force: true }));

  it('runs its own bundle, or the version versions/current names when it is installed', () => {
    expect(run(['--x']).out).toBe(`package --x home=${pkg} launcher=${pkg}/bin/switchyard-agent\n`);
    mkdirSync(versions(), { recursive: true });
    writeFileSync(versions('current'), '1.0.0\n');
    expect(run().out).toMatch(/^package /); // named but not installed: its own bundle
    bundle(versions('1.0.0', 'lib', 'switchyard-agent.mjs'), 'echo "v1.0.0 $*"\n');
    expect(run(['a', 'b']).out).toBe('v1.0.0 a b\n');
    writeFileSync(versions('current'), '../../etc\n');
    expect(run().out).toMatch(/^package /);
  });

  it('takes the home from --home, over SWITCHYARD_AGENT_HOME', () => {
    const other = mkdtempSync(join(tmpdir(), 'sy-launcher-home-'));
    try {
      expect(run(['--home', other], { SWITCHYARD_AGENT_HOME: '/nowhere' }).out).toContain(`home=${other} `);
      expect(run([`--home=${other}`]).out).toContain(`home=${other} `);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('keeps a trial version that ends its trial (it was welcomed)', () => {
    bundle(
      versions('1.0.0', 'lib', 'switchyard-agent.mjs'),
      'rm "$SWITCHYARD_AGENT_HOME/versions/trial"; echo kept; exit 0\n',
    );
    writeFileSync(versions('current'), '1.0.0\n');
    writeFileSync(versions('trial'), 'version=1.0.0\nprevious=0.9.0\ndeliveryId=r:1\ntimeoutMs=60000\n');
    expect(run()).toMatchObject({ code: 0, out: 'kept\n' });
    expect(readFileSync(versions('current'), 'utf8')).toBe('1.0.0\n');
    expect(existsSync(versions('rollback'))).toBe(false);
  });

  it('goes back to the previous version when the trial exits before welcome, and leaves the reason', () => {
    bundle(versions('1.0.0', 'lib', 'switchyard-agent.mjs'), 'echo "v1.0.0 $*"\n');
    bundle(versions('1.0.1', 'lib', 'switchyard-agent.mjs'), 'echo broken; exit 3\n');
    writeFileSync(versions('current'), '1.0.1\n');
    writeFileSync(versions('trial'), 'version=1.0.1\nprevious=1.0.0\ndeliveryId=r:2\ntimeoutMs=60000\n');
    const r = run(['--token', 't']);
    expect(r.out).toBe('broken\nv1.0.0 --token t\n');
    expect(r.err).toContain(
      'version 1.0.1 exited with code 3 before central welcomed it; going back to version 1.0.0',
    );
    expect(readFileSync(versions('current'), 'utf8')).toBe('1.0.0\n');
    expect(existsSync(versions('trial'))).toBe(false);
    expect(readFileSync(versions('rollback'), 'utf8')).toBe(
      'version=1.0.1\nprevious=1.0.0\ndeliveryId=r:2\nreason=version 1.0.1 exited with code 3 before central welcomed it; back on 1.0.0\n',
    );
  });

  it('passes on the reason a trial version gave (no welcome in time), back to the package’s own bundle', () => {
    bundle(
      versions('2.0.0', 'lib', 'switchyard-agent.mjs'),
      'printf "reason=version 2.0.0 did not reach welcome within 20 s\\n" >> "$SWITCHYARD_AGENT_HOME/versions/trial"; exit 1\n',
    );
    writeFileSync(versions('current'), '2.0.0\n');
    writeFileSync(versions('trial'), 'version=2.0.0\nprevious=0.9.0\ndeliveryId=r:3\ntimeoutMs=20000\n');
    const r = run();
    expect(r.out).toMatch(/^package /);
    expect(readFileSync(versions('rollback'), 'utf8')).toContain(
      'reason=version 2.0.0 did not reach welcome within 20 s; back on 0.9.0\n',
    );
    expect(execFileSync('cat', [versions('current')], { encoding: 'utf8' })).toBe('0.9.0\n');
  });

  it('leaves a later trial alone: the confirmed version started the next upgrade and exited', () => {
    bundle(
      versions('1.0.0', 'lib', 'switchyard-agent.mjs'),
      [
        'rm "$SWITCHYARD_AGENT_HOME/versions/trial"',
        // welcomed; later central asks for 1.1.0: a new trial, and this process exits for the restart
        'printf "version=1.1.0\\nprevious=1.0.0\\ndeliveryId=r:9\\ntimeoutMs=60000\\n" > "$SWITCHYARD_AGENT_HOME/versions/trial"',
        'echo 1.1.0 > "$SWITCHYARD_AGENT_HOME/versions/current"',
        'exit 10',
      ].join('\n') + '\n',
    );
    writeFileSync(versions('current'), '1.0.0\n');
    writeFileSync(versions('trial'), 'version=1.0.0\nprevious=0.9.0\ndeliveryId=r:8\ntimeoutMs=60000\n');
    expect(run().code).toBe(10);
    expect(readFileSync(versions('current'), 'utf8')).toBe('1.1.0\n');
    expect(readFileSync(versions('trial'), 'utf8')).toContain('deliveryId=r:9');
    expect(existsSync(versions('rollback'))).toBe(false);
  });
});
