// The Agents tab's groups in Chromium (issue 16 point 1): an agent's own groups (agent.conf, via hello)
// shown apart from an admin's, the group filter, and admin groups edited for a selection and for one agent.
import { openTab } from '../support/browser.js';
import { waitFor } from '../support/ports.js';
import { uiJourney } from '../support/ui-journey.js';

interface AgentGroups {
  adminGroups: string[];
  reportedGroups: string[];
}

describe('e2e: agent groups in the Agents tab (Chromium)', () => {
  const journey = uiJourney({
    heartbeatMs: 1000,
    agents: [
      { id: 'grp-1', hello: { groups: ['south'] } },
      { id: 'grp-2', hello: { groups: [] } },
      { id: 'grp-3', hello: { groups: [] } },
    ],
  });

  const groupsOf = (id: string) => journey.central.api.ok<AgentGroups>('GET', `/api/agents/${id}`);

  it('filters by a reported group and adds an admin group to a selection', async () => {
    const { page } = journey.ui;
    await openTab(page, 'Agents');
    const count = page.getByTestId('agent-count');
    await waitFor('3 agents listed', async () => (await count.innerText()) === '3 agents', 10_000);
    const south = page.locator('tr[data-agent="grp-1"] [data-col="groups"] .badge');
    expect(await south.innerText()).toBe('south');
    expect(await south.getAttribute('title')).toContain('agent.conf');

    await page.getByLabel('Group', { exact: true }).fill('south');
    await page.getByLabel('Group', { exact: true }).press('Enter');
    await waitFor('filtered to south', async () => (await count.innerText()) === '1 agents', 10_000);
    await page.getByLabel('Group', { exact: true }).fill('');
    await page.getByLabel('Group', { exact: true }).press('Enter');
    await waitFor('all again', async () => (await count.innerText()) === '3 agents', 10_000);

    await page.getByLabel('Select grp-2').check();
    await page.getByLabel('Select grp-3').check();
    await page.getByLabel('Groups for 2 selected agents').fill('pilot');
    await page.getByRole('button', { name: 'Add to selected' }).click();
    await page.getByText('Added pilot: 2 of 2 agents changed.').waitFor();
    expect((await groupsOf('grp-2')).adminGroups).toEqual(['pilot']);
    expect((await groupsOf('grp-3')).adminGroups).toEqual(['pilot']);
    expect((await groupsOf('grp-1')).adminGroups).toEqual([]);
  });

  it("edits one agent's admin groups on its page, leaving its own groups to its agent.conf", async () => {
    const { page } = journey.ui;
    await page.goto(`${journey.central.central.adminUrl}#/agents/grp-1`);
    await page.getByRole('heading', { name: 'Agent grp-1' }).waitFor();
    await page.getByLabel('Admin groups').fill('east, tills');
    await page.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('Admin groups saved.').waitFor();
    expect(await groupsOf('grp-1')).toMatchObject({
      adminGroups: ['east', 'tills'],
      reportedGroups: ['south'],
    });
    // A name that is no group name is refused before any request, naming it.
    await page.getByLabel('Admin groups').fill('north east');
    await page.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('"north east" is not a group name', { exact: false }).waitFor();
  });
});
