import { PACKAGE_ROLLOUTS_RECHECK_MS, PackageRolloutsActivity } from './package-rollouts-activity.js';

describe('PackageRolloutsActivity', () => {
  let now = 0;
  let unfinished = false;
  let looks = 0;
  const activity = () =>
    new PackageRolloutsActivity(
      async () => {
        looks++;
        return unfinished;
      },
      () => now,
    );
  beforeEach(() => {
    now = 1000;
    unfinished = false;
    looks = 0;
  });

  it('looks once while none is under way, again after a change or the recheck interval', async () => {
    const a = activity();
    expect(await a.mayBeActive()).toBe(false);
    now += 1000;
    expect(await a.mayBeActive()).toBe(false);
    expect(looks).toBe(1);

    unfinished = true;
    a.changed(); // a package rollout was created (on any node)
    expect(await a.mayBeActive()).toBe(true);
    expect(await a.mayBeActive()).toBe(true); // under way: asked at every pass
    expect(looks).toBe(3);

    unfinished = false;
    expect(await a.mayBeActive()).toBe(false);
    // A change NOTIFY lost: found at the next look, within the recheck interval.
    unfinished = true;
    now += PACKAGE_ROLLOUTS_RECHECK_MS - 1;
    expect(await a.mayBeActive()).toBe(false);
    now += 1;
    expect(await a.mayBeActive()).toBe(true);
  });

  it('looks again when a change arrives while it looks', async () => {
    let a: PackageRolloutsActivity | undefined = undefined;
    a = new PackageRolloutsActivity(
      async () => {
        looks++;
        if (looks === 1) a!.changed(); // created meanwhile: this look may have missed it
        return looks > 1;
      },
      () => now,
    );
    expect(await a.mayBeActive()).toBe(false);
    expect(await a.mayBeActive()).toBe(true);
    expect(looks).toBe(2);
  });
});
