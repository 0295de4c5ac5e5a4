import { useState } from 'preact/hooks';
import { useApp } from '../../live-context.js';
import { MyPasswordForm } from './my-password-form.js';
import { SessionsTable } from './sessions-table.js';
import { UserList } from './user-list.js';

/** Admins manage users; everyone else sees "My account": their password and their own sessions. */
export function UsersTab() {
  const { session } = useApp();
  const admin = session.can('users.manage');
  // A password change ends the user's other sessions: the sessions table reloads to show it.
  const [changes, setChanges] = useState(0);
  return (
    <section aria-labelledby="users-title" class="stack">
      <h1 id="users-title">{admin ? 'Users and sessions' : 'My account'}</h1>
      {admin && <UserList me={session.username} />}
      <MyPasswordForm onChanged={() => setChanges((n) => n + 1)} />
      <SessionsTable everyone={admin} reloadKey={changes} />
    </section>
  );
}
