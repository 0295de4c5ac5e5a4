import { useState } from 'preact/hooks';
import { ApiError } from './api/client.js';
import { logIn, type Session } from './api/session.js';
import { Notice } from './components/notice.js';

export function LoginPage(props: { onLoggedIn: (s: Session) => void; ended?: boolean }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onLoggedIn(await logIn(username, password));
    } catch (err) {
      // The API's words are deliberately generic (no hint whether the user exists).
      setError(err instanceof ApiError ? err.message : 'central cannot be reached');
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Switchyard</h1>
        <p class="muted">System Administration</p>
        {props.ended && !error && <Notice kind="warn">Your session has ended. Please log in again.</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <label>
          User name
          <input
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            autofocus
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
