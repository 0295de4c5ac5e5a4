/** The System Administration tabs, in docs/design.md §9's order. */
export const TABS = [
  // The landing page: the fleet at a glance (issue 16 point 5).
  { id: 'overview', label: 'Overview' },
  { id: 'parameters', label: 'Parameters' },
  { id: 'certificates', label: 'Certificates' },
  { id: 'profiles', label: 'Profiles' },
  { id: 'rollouts', label: 'Rollouts' },
  { id: 'agents', label: 'Agents' },
  { id: 'migration', label: 'Migration' },
  { id: 'audit', label: 'Audit' },
  // "My account" for users who cannot manage users (app.tsx).
  { id: 'users', label: 'Users' },
] as const;

export type TabId = (typeof TABS)[number]['id'];

export const DEFAULT_TAB: TabId = 'overview';
