import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { onSessionEnded } from './api/client.js';
import { LiveChannel, type LiveState } from './api/live.js';
import { forgetSession, logOut, resumeSession, type Session } from './api/session.js';
import { StaleBanner } from './components/stale-banner.js';
import { confirmDiscard, useLeaveGuard } from './components/unsaved.js';
import { Ctx } from './live-context.js';
import { LoginPage } from './login.js';
import { go, useRoute } from './route.js';
import { DEFAULT_TAB, TABS, type TabId } from './tabs.js';
import { AgentsTab } from './tabs/agents/agents-tab.js';
import { AuditTab } from './tabs/audit/audit-tab.js';
import { CertificatesTab } from './tabs/certificates/certificates-tab.js';
import { MigrationTab } from './tabs/migration/migration-tab.js';
import { OverviewTab } from './tabs/overview/overview-tab.js';
import { ParametersTab } from './tabs/parameters/parameters-tab.js';
import { ProfilesTab } from './tabs/profiles/profiles-tab.js';
import { RolloutsTab } from './tabs/rollouts/rollouts-tab.js';
import { UsersTab } from './tabs/users/users-tab.js';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    void resumeSession().then((s) => setSession(s ?? null));
    return onSessionEnded(() => {
      forgetSession();
      setEnded(true);
      setSession(null);
    });
  }, []);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null)
    return (
      <LoginPage
        ended={ended}
        onLoggedIn={(s) => {
          setEnded(false);
          setSession(s);
        }}
      />
    );
  return <Shell session={session} onLogout={() => setSession(null)} />;
}

function Shell(props: { session: Session; onLogout: () => void }) {
  const live = useMemo(() => new LiveChannel(), []);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  // When the live channel drops, what is on screen stops following the fleet: say so, and since when.
  const [staleSince, setStaleSince] = useState<number | undefined>();
  // On a narrow screen the tabs fold behind a menu button (ADR 42); the guard runs before useRoute.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  useLeaveGuard();
  const route = useRoute();
  const tab = (TABS.some((t) => t.id === route[0]) ? route[0] : DEFAULT_TAB) as TabId;

  useEffect(() => {
    const off = live.onState((state) => {
      setLiveState(state);
      setStaleSince((since) => (state === 'reconnecting' ? (since ?? Date.now()) : undefined));
    });
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live]);

  useEffect(() => setMenuOpen(false), [tab]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const logout = async () => {
    if (!confirmDiscard()) return;
    live.stop();
    await logOut();
    props.onLogout();
  };

  return (
    <Ctx.Provider value={{ session: props.session, live }}>
      <a
        class="skip-link"
        href="#content"
        onClick={(e) => {
          // The hash is the route: move focus without touching it.
          e.preventDefault();
          const main = document.getElementById('content');
          main?.focus();
          main?.scrollIntoView();
        }}
      >
        Skip to content
      </a>
      <header class={menuOpen ? 'top menu-open' : 'top'}>
        <button
          ref={menuButton}
          type="button"
          class="menu-button ghost"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <span class="brand">Switchyard</span>
        <nav aria-label="System Administration" id="main-nav">
          <ul class="tabs">
            {TABS.map((t) => (
              <li key={t.id}>
                <a
                  href={`#/${t.id}`}
                  aria-current={t.id === tab ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    setMenuOpen(false);
                    go(t.id);
                  }}
                >
                  {t.id === 'users' && !props.session.can('users.manage') ? 'My account' : t.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class={`live live-${liveState}`} role="status" aria-live="polite" title="Live updates">
          {liveState === 'live' ? 'Live' : liveState === 'closed' ? 'Offline' : 'Connecting…'}
        </span>
        <span class="who" title={`${props.session.username} (${props.session.role})`}>
          {props.session.username} <span class="role">{props.session.role}</span>
        </span>
        <button type="button" class="ghost logout" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      {staleSince !== undefined && <StaleBanner since={staleSince} />}
      <main class={staleSince !== undefined ? 'content stale' : 'content'} id="content" tabIndex={-1}>
        <View tab={tab} rest={route.slice(1)} />
      </main>
    </Ctx.Provider>
  );
}

function View(props: { tab: TabId; rest: string[] }) {
  switch (props.tab) {
    case 'overview':
      return <OverviewTab />;
    case 'parameters':
      return <ParametersTab />;
    case 'certificates':
      return <CertificatesTab />;
    case 'agents':
      return <AgentsTab agentId={props.rest[0]} />;
    case 'audit':
      return <AuditTab />;
    case 'profiles':
      return <ProfilesTab name={props.rest[0]} />;
    case 'rollouts':
      return <RolloutsTab id={props.rest[0]} />;
    case 'migration':
      return <MigrationTab />;
    case 'users':
      return <UsersTab />;
  }
}
