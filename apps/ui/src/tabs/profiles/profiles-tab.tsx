import type { ProfileListItem } from '../../../../../libs/api/profiles.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { go } from '../../route.js';
import { CopyDialog } from './copy-dialog.js';
import { NewProfileDialog } from './new-profile-dialog.js';
import { ProfileDetail } from './profile-detail.js';

/** Profiles: the list (latest revision, whether the draft changed since), or one profile's screen. */
export function ProfilesTab(props: { name?: string }) {
  if (props.name) return <ProfileDetail key={props.name} name={props.name} />;
  return <ProfileList />;
}

function ProfileList() {
  const { session } = useApp();
  const canWrite = session.can('profiles.write');
  const list = useLoad(() => api<ProfileListItem[]>('GET', '/api/profiles'));
  const [copying, setCopying] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);

  return (
    <section aria-labelledby="profiles-title">
      <h1 id="profiles-title">Profiles</h1>
      <p class="muted">
        A profile is the agent.conf and truststore central hands to agents. Edit the draft, then{' '}
        <strong>prepare</strong> it into an immutable revision that rollouts deliver.
      </p>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {canWrite && (
        <div class="actions">
          <button type="button" onClick={() => setCreating(true)} disabled={!list.value}>
            New profile…
          </button>
        </div>
      )}
      <div class="table-scroll">
        <table class="grid" aria-label="Profiles">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Latest revision</th>
              <th scope="col">Draft</th>
              <th scope="col">Updated (UTC)</th>
              {canWrite && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {(list.value ?? []).map((p) => (
              <tr key={p.name} data-profile={p.name}>
                <td>
                  <a
                    href={`#/profiles/${encodeURIComponent(p.name)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      go('profiles', p.name);
                    }}
                  >
                    {p.name}
                  </a>
                  {p.builtIn && <span class="badge"> built-in</span>}
                </td>
                <td>
                  {p.description}
                  {p.copiedFrom && <span class="muted"> (copy of {p.copiedFrom})</span>}
                </td>
                <td data-col="latest">{p.latestRevision ? `r${p.latestRevision.revision}` : 'none yet'}</td>
                <td data-col="draft">
                  {p.draftChanged === true ? (
                    <span class="badge badge-pending">changed since</span>
                  ) : p.draftChanged === false ? (
                    'prepared'
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {utc(p.updatedAt)} <span class="muted">by {p.updatedBy}</span>
                </td>
                {canWrite && (
                  <td>
                    <button
                      type="button"
                      class="ghost"
                      aria-label={`Copy ${p.name}`}
                      onClick={() => setCopying(p.name)}
                    >
                      Copy…
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {creating && list.value && (
        <NewProfileDialog
          profiles={list.value}
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            go('profiles', name);
          }}
        />
      )}
      {copying && (
        <CopyDialog
          from={copying}
          onClose={() => setCopying(undefined)}
          onCopied={(name) => {
            setCopying(undefined);
            go('profiles', name);
          }}
        />
      )}
    </section>
  );
}
