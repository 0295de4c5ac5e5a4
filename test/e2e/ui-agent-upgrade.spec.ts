// Issue 17 point 5, "upgrade them" (ADR 45), in Chromium: the Migration tab counts the agents that need
// an upgrade to connect securely (three real agent sessions whose hello lacks `wss`), says how to upload
// a package while none is, then lets an admin pick the uploaded version, confirm, and follow the link to
// the agent rollout it started; the Rollouts tab names that rollout by kind and package version.
import { packageKey, signPackage, tinyPackageArchive, trustPackageKey } from '../support/agent-packages.js';
import { openTab } from '../support/browser.js';
import { uiJourney } from '../support/ui-journey.js';

const OLD = ['old-till-1', 'old-till-2', 'old-till-3'];

describe('e2e: "Upgrade them" in the Migration tab (Chromium)', () => {
  // Three agents of an old version without `wss`, and one modern agent the button must not count.
  const journey = uiJourney({
    agents: [
      ...OLD.map((id) => ({ id, hello: { agentVersion: '0.5.0', capabilities: ['mtls'] } })),
      { id: 'new-till', hello: { agentVersion: '0.5.0', capabilities: ['wss'] } },
    ],
  });

  it('counts them, says how to upload a package, then starts the agent rollout and links to it', async () => {
    const { page } = journey.ui;
    await openTab(page, 'Migration');
    const section = page.getByTestId('upgrade-agents');
    await section.getByRole('heading', { name: /Need an upgrade to connect securely \(3\)/ }).waitFor();
    for (const id of OLD) await section.getByText(new RegExp(id)).waitFor();
    expect(await section.getByText(/new-till/).count()).toBe(0);

    // No package uploaded yet: the dialog says so and how to upload one; nothing can be started.
    await section.getByRole('button', { name: 'Upgrade them (3)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upgrade agents that cannot connect securely' });
    await dialog.getByTestId('no-agent-package').waitFor();
    expect(await dialog.getByTestId('no-agent-package').textContent()).toContain('POST /api/agent-packages');
    expect(await dialog.getByRole('button', { name: 'Upgrade', exact: true }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // A signed package uploaded (as an admin would with curl), then the same steps.
    const key = packageKey();
    trustPackageKey(journey.central.dataDir, key);
    for (const version of ['0.9.0', '1.0.0']) {
      const signed = signPackage(tinyPackageArchive(version), version, key.privateKey);
      const r = await journey.central.api.upload('/api/agent-packages', signed.files);
      expect({ version, status: r.status, body: r.body }).toMatchObject({ status: 200 });
    }
    await section.getByRole('button', { name: 'Upgrade them (3)…' }).click();
    const select = dialog.getByLabel('Agent package');
    await select.waitFor();
    expect(await select.locator('option').allTextContents()).toEqual([
      expect.stringMatching(/^1\.0\.0 \(uploaded .* by admin\)$/),
      expect.stringMatching(/^0\.9\.0 /),
    ]);
    await select.selectOption('1.0.0');
    await dialog.getByRole('button', { name: 'Upgrade 3 to 1.0.0' }).click();
    const link = section.getByTestId('upgrade-rollout-link');
    await link.waitFor();
    expect(await section.getByRole('status').textContent()).toContain(
      'Agent rollout of 1.0.0 to 3 agents started',
    );

    // The rollout it links to is an agent upgrade of exactly those three, shown by kind and version.
    await link.click();
    await page.getByRole('heading', { name: 'Rollout of agent package 1.0.0' }).waitFor();
    expect(await page.getByTestId('rollout-kind').textContent()).toBe(
      'agent upgrade to version 1.0.0 (agent package)',
    );
    const id = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    const rollout = await journey.central.api.ok<{ kind: string; packageVersion: string; targets: unknown }>(
      'GET',
      `/api/rollouts/${id}`,
    );
    expect(rollout).toMatchObject({
      kind: 'agent_package',
      packageVersion: '1.0.0',
      targets: { agentIds: OLD, agentIdCount: 3 },
    });
    await openTab(page, 'Rollouts');
    await page.locator(`tr[data-rollout="${id}"]`).getByText('agent package 1.0.0').waitFor();
  }, 90_000);
});
