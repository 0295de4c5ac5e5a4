import type { FleetOverview } from '../../../../../libs/api/overview.js';
import { go } from '../../route.js';
import { BarList } from './bar-list.js';
import { count, statusBars, transportBars } from './overview-figures.js';

type Agents = FleetOverview['agents'];

/** Agents by connection status: every registered agent, whatever its state. */
export function StatusCard(props: { agents: Agents }) {
  return (
    <article class="card" aria-labelledby="ov-status-title">
      <h2 id="ov-status-title">Agents by status</h2>
      <BarList
        label="Agents by status"
        bars={statusBars(props.agents.byStatus)}
        total={props.agents.total}
        testId="ov-status"
      />
      <p class="muted">
        <a
          href="#/agents"
          onClick={(e) => {
            e.preventDefault();
            go('agents');
          }}
        >
          {count(props.agents.total)} registered agents
        </a>
        {props.agents.revoked > 0 && `; ${count(props.agents.revoked)} revoked not counted`}
      </p>
    </article>
  );
}

/** How the online agents reach central now, and what every agent used last. */
export function TransportCard(props: { agents: Agents }) {
  const online = transportBars(props.agents.onlineByTransport);
  return (
    <article class="card" aria-labelledby="ov-transport-title">
      <h2 id="ov-transport-title">Online agents by transport</h2>
      {online.length > 0 ? (
        <BarList label="Online agents by transport" bars={online} testId="ov-transport" />
      ) : (
        <p class="muted">No agent is online.</p>
      )}
      <h3>Every agent by the transport it last used</h3>
      <BarList
        label="Agents by last transport"
        bars={transportBars(props.agents.byLastTransport)}
        total={props.agents.total}
        testId="ov-last-transport"
      />
    </article>
  );
}

/** Profile revisions: how many agents are meant to run each, and how many say they do. */
export function RevisionsCard(props: { profiles: FleetOverview['profiles'] }) {
  const p = props.profiles;
  return (
    <article class="card" aria-labelledby="ov-revisions-title">
      <h2 id="ov-revisions-title">Profile revisions</h2>
      {p.revisions.length === 0 ? (
        <p class="muted">No agent runs or is meant to run a profile yet.</p>
      ) : (
        <table class="grid compact" aria-label="Profile revisions, meant to run and running">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Meant to run it</th>
              <th scope="col">Of those, running it</th>
              <th scope="col">Running it (all)</th>
            </tr>
          </thead>
          <tbody>
            {p.revisions.map((r) => (
              <tr key={`${r.profile}-${r.revision}`} data-revision={`${r.profile}-r${r.revision}`}>
                <th scope="row">
                  {r.profile} r{r.revision}
                </th>
                <td>{count(r.desired)}</td>
                <td>
                  {r.desired > 0 ? (
                    <span class={r.desiredAndRunning === r.desired ? 'ok' : 'warn'}>
                      {count(r.desiredAndRunning)} of {count(r.desired)}
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{count(r.running)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        {p.notOnDesired > 0
          ? `${count(p.notOnDesired)} agent(s) do not run the revision meant for them yet. `
          : p.revisions.some((r) => r.desired > 0)
            ? 'Every agent meant to run a revision runs it. '
            : ''}
        {p.runningNone > 0 && `${count(p.runningNone)} report no profile. `}
        {p.runningUnknown > 0 && `${count(p.runningUnknown)} run a profile central does not know.`}
      </p>
    </article>
  );
}
