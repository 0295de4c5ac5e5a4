import type { Role, UserSummary } from '../../../../../libs/api/users.js';
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { useNow } from '../../components/clock.js';
import { Dialog } from '../../components/dialog.js';
import { ago, utc } from '../../components/format.js';
import { Notice } from '../../components/notice.js';
import { useLoad } from '../../components/use-load.js';
import { CreateUserForm } from './create-user-form.js';
import { ResetPasswordDialog } from './reset-password-dialog.js';
import { userRefusal } from './user-words.js';

type Outcome = { kind: 'ok' | 'error'; text: string };

/** Every user with role and last login; an admin creates, re-roles, resets and deletes (central keeps one admin). */
export function UserList(props: { me: string }) {
  const users = useLoad(() => api<UserSummary[]>('GET', '/api/users'));
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [resetting, setResetting] = useState<string | undefined>();
  const [deleting, setDeleting] = useState<string | undefined>();
  const now = useNow();

  const act = async (done: string, call: () => Promise<unknown>) => {
    setOutcome(undefined);
    try {
      await call();
      setOutcome({ kind: 'ok', text: done });
    } catch (e) {
      setOutcome({ kind: 'error', text: userRefusal(e).message });
    }
    await users.reload();
  };
  const setRole = (username: string, role: Role) =>
    act(`${username} is now ${role}.`, () =>
      api('PUT', `/api/users/${encodeURIComponent(username)}/role`, { role }),
    );
  const remove = (username: string) =>
    act(`${username} was deleted; their sessions ended.`, () =>
      api('DELETE', `/api/users/${encodeURIComponent(username)}`),
    );

  return (
    <>
      <section class="card" aria-labelledby="user-list-title">
        <h2 id="user-list-title">Users</h2>
        {users.error && <Notice kind="error">{users.error}</Notice>}
        {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
        <div class="table-scroll">
          <table class="grid" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Last login</th>
                <th scope="col">Created (UTC)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {(users.value ?? []).map((u) => (
                <tr key={u.id} data-user={u.username}>
                  <td>
                    {u.username}
                    {u.username === props.me && <span class="muted"> (you)</span>}
                  </td>
                  <td>
                    <select
                      aria-label={`Role of ${u.username}`}
                      value={u.role}
                      onChange={(e) => void setRole(u.username, e.currentTarget.value as Role)}
                    >
                      <option value="viewer">viewer</option>
                      <option value="operator">operator</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td title={utc(u.lastLoginAt)}>{u.lastLoginAt ? ago(u.lastLoginAt, now) : 'never'}</td>
                  <td>{utc(u.createdAt)}</td>
                  <td class="actions">
                    <button type="button" class="ghost" onClick={() => setResetting(u.username)}>
                      Reset password…
                    </button>
                    <button
                      type="button"
                      class="danger"
                      disabled={u.username === props.me}
                      title={u.username === props.me ? 'Another admin can delete you' : undefined}
                      onClick={() => setDeleting(u.username)}
                    >
                      Delete…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <CreateUserForm
        onCreated={(u) => {
          setOutcome({
            kind: 'ok',
            text: `Created ${u.username} (${u.role}). Hand them the first password.`,
          });
          void users.reload();
        }}
      />
      {resetting && (
        <ResetPasswordDialog
          username={resetting}
          onClose={() => setResetting(undefined)}
          onDone={() => {
            setOutcome({ kind: 'ok', text: `New password set for ${resetting}; their sessions ended.` });
            setResetting(undefined);
            void users.reload();
          }}
        />
      )}
      {deleting && (
        <Dialog title={`Delete ${deleting}?`} onClose={() => setDeleting(undefined)}>
          <p>{deleting} can no longer log in; their open sessions end now. The audit log keeps their name.</p>
          <div class="actions">
            <button
              type="button"
              class="danger"
              onClick={() => {
                const name = deleting;
                setDeleting(undefined);
                void remove(name);
              }}
            >
              Delete {deleting}
            </button>
            <button type="button" class="ghost" onClick={() => setDeleting(undefined)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
