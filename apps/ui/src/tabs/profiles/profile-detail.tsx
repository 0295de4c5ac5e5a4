import type { PrepareResult, ProfileView } from '../../../../../libs/api/profiles.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { messageOf } from '../../components/errors.js';
import { shortSha, utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { confirmDiscard } from '../../components/unsaved.js';
import { useLoad } from '../../components/use-load.js';
import { useApp } from '../../live-context.js';
import { go } from '../../route.js';
import { AgentConfForm } from './agent-conf-form.js';
import { ProfileDiffView } from './profile-diff-view.js';
import { ProfileSettingsForm } from './profile-settings-form.js';
import { RawConfEditor } from './raw-conf-editor.js';
import { RevisionHistory } from './revision-history.js';
import { TruststoreEditor } from './truststore-editor.js';

const path = (name: string) => `/api/profiles/${encodeURIComponent(name)}`;
/** Switching between the form and the raw text drops the edits of the one left (the settings stay). */
const ofConf = (what: string) => what.startsWith('agent.conf of');

/** One profile: its draft (form or raw), truststore, prepare, revisions and diff. */
export function ProfileDetail(props: { name: string }) {
  const { session } = useApp();
  const canWrite = session.can('profiles.write');
  const profile = useLoad(() => api<ProfileView>('GET', path(props.name)), [props.name]);
  const [view, setView] = useState<'form' | 'raw'>('form');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error' | 'warn'; text: string } | undefined>();
  const [diffRefresh, setDiffRefresh] = useState(0);

  const saved = (p: ProfileView, text: string) => {
    profile.setValue(p);
    setMessage({ kind: 'ok', text });
    setDiffRefresh((n) => n + 1);
  };

  const prepare = async () => {
    try {
      const r = await api<PrepareResult>('POST', `${path(props.name)}/prepare`);
      setMessage(
        r.created
          ? { kind: 'ok', text: `Prepared revision ${r.revision} (sha256 ${shortSha(r.sha256)}).` }
          : {
              kind: 'warn',
              text: `Unchanged, revision ${r.revision}: the draft gives the latest revision again.`,
            },
      );
      await profile.reload();
      setDiffRefresh((n) => n + 1);
    } catch (e) {
      setMessage({ kind: 'error', text: messageOf(e) });
    }
  };

  const p = profile.value;
  return (
    <section aria-labelledby="profile-title">
      <p>
        <a
          href="#/profiles"
          onClick={(e) => {
            e.preventDefault();
            go('profiles');
          }}
        >
          ← All profiles
        </a>
      </p>
      <h1 id="profile-title">Profile {props.name}</h1>
      {profile.error && <Notice kind="error">{profile.error}</Notice>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {p && (
        <>
          <dl class="facts">
            <dt>Draft version</dt>
            <dd data-testid="draft-version">{p.draftVersion}</dd>
            <dt>Latest revision</dt>
            <dd data-testid="latest-revision">
              {p.latestRevision
                ? `r${p.latestRevision.revision} (${utc(p.latestRevision.createdAt)})`
                : 'none yet'}
            </dd>
            <dt>Draft</dt>
            <dd data-testid="draft-changed">
              {p.draftChanged === true
                ? 'changed since the latest revision'
                : p.draftChanged === false
                  ? 'same as the latest revision'
                  : 'unknown (no server certificate)'}
            </dd>
            <dt>Updated</dt>
            <dd>
              {utc(p.updatedAt)} by {p.updatedBy}
            </dd>
          </dl>
          {canWrite && (
            <div class="actions">
              <button type="button" onClick={() => void prepare()}>
                Prepare revision
              </button>
            </div>
          )}
          <h2>agent.conf</h2>
          <div class="actions" role="group" aria-label="agent.conf view">
            <button
              type="button"
              class={view === 'form' ? '' : 'ghost'}
              aria-pressed={view === 'form'}
              onClick={() => view !== 'form' && confirmDiscard(ofConf) && setView('form')}
            >
              Form
            </button>
            <button
              type="button"
              class={view === 'raw' ? '' : 'ghost'}
              aria-pressed={view === 'raw'}
              onClick={() => view !== 'raw' && confirmDiscard(ofConf) && setView('raw')}
            >
              Raw
            </button>
          </div>
          {view === 'form' ? (
            <AgentConfForm key={p.draftVersion} profile={p} canWrite={canWrite} onSaved={saved} />
          ) : (
            <RawConfEditor key={p.draftVersion} profile={p} canWrite={canWrite} onSaved={saved} />
          )}
          <TruststoreEditor profile={p} canWrite={canWrite} onSaved={saved} />
          <h2>Settings</h2>
          <ProfileSettingsForm key={p.draftVersion} profile={p} canWrite={canWrite} onSaved={saved} />
          <RevisionHistory profile={p} />
          <ProfileDiffView key={diffRefresh} profile={p} />
        </>
      )}
    </section>
  );
}
