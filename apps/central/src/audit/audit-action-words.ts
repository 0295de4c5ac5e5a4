/**
 * The API routes an audit record can name (`METHOD /api/route/:param`), in the operator's words. A
 * route missing here is shown as "<method> <path>", so a new endpoint is never invisible, only plainer.
 */
const WORDS: Record<string, string> = {
  'POST /api/auth/login': 'log in',
  'POST /api/auth/logout': 'log out',
  'POST /api/auth/password': 'change own password',
  'DELETE /api/auth/sessions/:id': 'end login session',
  'POST /api/users': 'create user',
  'PUT /api/users/:username/role': 'change user role',
  'PUT /api/users/:username/password': 'reset user password',
  'DELETE /api/users/:username': 'delete user',
  'PUT /api/settings/websocket': 'change WebSocket settings',
  'POST /api/certificates/server/import': 'import server certificate',
  'POST /api/certificates/server/self-signed': 'restore self-signed certificate',
  'POST /api/certificates/server/previous': 'restore previous certificate',
  'POST /api/certificates/acme': 'order ACME certificate',
  'POST /api/certificates/acme/renewal/approve': 'approve held ACME certificate',
  'PUT /api/certificates/acme/renewal': 'configure ACME renewal',
  'POST /api/certificates/rotations': 'stage certificate rotation',
  'POST /api/certificates/rotations/:id/advance': 'advance certificate rotation',
  'POST /api/certificates/rotations/:id/abort': 'abort certificate rotation',
  'POST /api/agents/enrollment-tokens': 'create enrollment token',
  'DELETE /api/agents/enrollment-tokens/:id': 'revoke enrollment token',
  'PUT /api/agents/:id/groups': 'set agent groups',
  'POST /api/agents/:id/re-enroll': 'allow agent re-enrollment',
  'POST /api/agents/:id/revoke-certificate': 'revoke agent certificate',
  // Revokes the credential and closes the session; the row and its history stay.
  'DELETE /api/agents/:id': 'revoke agent',
  'POST /api/agents/bulk/exempt': 'exempt agents from the secure-only gate',
  'POST /api/agents/bulk/unexempt': 'remove migration exemptions of agents',
  'POST /api/agents/bulk/revoke': 'revoke agents',
  'POST /api/agents/bulk/delete': 'delete agents',
  'POST /api/agents/bulk/groups': 'change groups of agents',
  'POST /api/agents/bulk/retry': 'retry agents in a rollout',
  'POST /api/agent-packages': 'upload agent package',
  'POST /api/agent-upgrades': 'start agent upgrade',
  'POST /api/diagnostics': 'ask agents for diagnostics',
  'POST /api/profiles': 'create profile',
  'PUT /api/profiles/:name': 'edit profile',
  'DELETE /api/profiles/:name': 'delete profile',
  'POST /api/profiles/:name/copy': 'copy profile',
  'POST /api/profiles/:name/prepare': 'prepare profile revision',
  'POST /api/rollouts': 'start rollout',
  'POST /api/rollouts/preview': 'preview rollout',
  'POST /api/rollouts/:id/pause': 'pause rollout',
  'POST /api/rollouts/:id/resume': 'resume rollout',
  'POST /api/rollouts/:id/approve': 'approve next rollout wave',
  'POST /api/rollouts/:id/cancel': 'cancel rollout',
  'POST /api/rollouts/:id/retry-failed': 'retry failed agents',
  'POST /api/migration/advance': 'advance migration',
  'POST /api/migration/rollback': 'roll back migration',
  'POST /api/migration/exemptions': 'exempt agent from migration',
  'POST /api/migration/exemptions/bulk': 'exempt stranded agents from migration',
  'DELETE /api/migration/exemptions/:agentId': 'remove migration exemption',
};

/** Whether the route (`METHOD /api/route/:param`) has operator words, not the plain fallback. */
export function hasOperatorWords(action: string): boolean {
  return Object.hasOwn(WORDS, action);
}

const VERBS: Record<string, string> = { POST: 'post', PUT: 'change', PATCH: 'change', DELETE: 'delete' };

/** "cancel rollout 42" for `POST /api/rollouts/:id/cancel` on target 42; other actions stay as they are. */
export function describeAuditAction(action: string, target: string | null): string {
  const words = WORDS[action];
  const route = /^(POST|PUT|PATCH|DELETE) (\/\S+)$/.exec(action);
  const what = words ?? (route ? `${VERBS[route[1]!]} ${route[2]!.replace(/^\/api\//, '')}` : action);
  return target && route ? `${what} ${target}` : what;
}
