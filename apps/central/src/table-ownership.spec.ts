// Every table has one owner (ADR 47): only the owning folder names it in SQL, other folders call the narrow
// methods it exports, and a report module (`*.query.ts`) reads only the tables ADR 47 lists for it. This
// reads the sources and fails when a file names a table it may not; the eslint rule in eslint.config.js
// keeps SQL itself in `*.repository.ts`, `*.query.ts` and database/.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CENTRAL_SRC as ROOT, centralSources as sources } from './testing/central-sources.js';
import { lintRules } from './testing/lint-rules.js';
const MIGRATIONS = join(process.cwd(), 'migrations');

/** Table → the folder of apps/central/src that owns it (ADR 47). */
const OWNER: Record<string, string> = {
  agents: 'agents',
  agent_connection_stats: 'agents',
  agent_connections: 'agents',
  agent_trust_anchors: 'agents',
  enrollment_tokens: 'agents',
  rollouts: 'rollouts',
  rollout_agents: 'rollouts',
  agent_desired_profiles: 'rollouts',
  rollout_evaluation_pace: 'rollouts',
  profiles: 'profiles',
  profile_revisions: 'profiles',
  profile_signing_key: 'profiles',
  migration_state: 'migration',
  migration_transitions: 'migration',
  migration_exemptions: 'migration',
  central_nodes: 'cluster',
  agent_packages: 'agent-packages',
  diagnostic_bundles: 'diagnostics',
  server_certificates: 'certificates',
  certificate_rotations: 'rotation',
  acme_accounts: 'acme',
  acme_orders: 'acme',
  acme_challenges: 'acme',
  local_ca: 'local-ca',
  agent_certificates: 'local-ca',
  websocket_settings: 'settings',
  audit_log: 'audit',
  // A session belongs to its user (ON DELETE CASCADE, a new password ends them) and auth/ depends on
  // users/, never the reverse: users/ owns both tables, auth/ logs in through them.
  admin_users: 'users',
  admin_sessions: 'users',
  login_attempts: 'auth',
  tls_ticket_keys: 'listeners',
};

/** Report modules (ADR 47) → the other folders' tables each may read, besides its own folder's. */
const REPORTS: Record<string, string[]> = {
  'agents/agent-status.query.ts': ['central_nodes'],
  'agents/agent-status-changes.query.ts': ['central_nodes'],
  'agents/agent-selection.query.ts': ['central_nodes', 'agent_desired_profiles'],
  'agents/known-secure-agents.query.ts': ['central_nodes', 'migration_exemptions'],
  'migration/migration-gate.query.ts': [
    'agents',
    'central_nodes',
    'agent_connection_stats',
    'rollouts',
    'rollout_agents',
    'profiles',
    'profile_revisions',
    'agent_desired_profiles',
  ],
  'rollouts/rollout-work.query.ts': ['agents', 'central_nodes', 'profile_revisions'],
  'rollouts/package-work.query.ts': ['agents', 'agent_packages'],
  'overview/fleet-revisions.query.ts': ['agents', 'agent_desired_profiles', 'profile_revisions'],
  'cluster/dead-nodes.query.ts': ['agents'],
};

/** SQL text exported by an owner: using it elsewhere names its tables as surely as writing them out. */
const SQL_FRAGMENTS: Record<string, { owner: string; tables: string[] }> = {
  AGENT_STATUS_VIEW: { owner: 'agents', tables: ['agents', 'central_nodes'] },
};

/** Infrastructure, not a domain (ADR 47): database/ probes an installation before the migrations run. */
const INFRASTRUCTURE = ['database/'];

/** Tables a piece of source names in SQL. Keywords are upper case, as everywhere in this code base. */
function tablesNamed(source: string): Set<string> {
  const code = source
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join('\n');
  const found = new Set<string>();
  const ident = '[a-z_][a-z0-9_]*';
  const aliased = `${ident}(?:\\s+(?:AS\\s+)?${ident})?`;
  const reference = new RegExp(
    `\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\\s+(?:ONLY\\s+)?(${aliased}(?:\\s*,\\s*${aliased})*)`,
    'g',
  );
  for (const m of code.matchAll(reference)) {
    for (const part of m[1]!.split(',')) found.add(part.trim().split(/\s+/)[0]!);
  }
  for (const m of code.matchAll(/to_regclass\('([a-z_][a-z0-9_]*)'\)/g)) found.add(m[1]!);
  return new Set([...found].filter((t) => t in OWNER));
}

/** Every `file names table` pair where the file may not name the table. */
function violations(): string[] {
  const found: string[] = [];
  for (const path of sources(ROOT)) {
    const file = relative(ROOT, path).split('\\').join('/');
    if (INFRASTRUCTURE.some((prefix) => file.startsWith(prefix))) continue;
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '';
    const source = readFileSync(path, 'utf8');
    const named = tablesNamed(source);
    for (const [fragment, { owner, tables }] of Object.entries(SQL_FRAGMENTS)) {
      if (folder !== owner && new RegExp(`\\b${fragment}\\b`).test(source))
        tables.forEach((t) => named.add(t));
    }
    const mayRead = REPORTS[file] ?? [];
    for (const table of [...named].sort()) {
      if (OWNER[table] !== folder && !mayRead.includes(table)) found.push(`${file} names ${table}`);
    }
  }
  return found.sort();
}

describe('every table has one owner (ADR 47)', () => {
  it('finds the tables a statement names, and nothing in prose', () => {
    expect([
      ...tablesNamed(`SELECT v.id FROM agents a LEFT JOIN central_nodes n ON n.id = a.node_id`),
    ]).toEqual(['agents', 'central_nodes']);
    expect([
      ...tablesNamed(`SELECT 1 FROM rollouts r, rollout_agents AS ra WHERE r.id = ra.rollout_id`),
    ]).toEqual(['rollouts', 'rollout_agents']);
    expect([...tablesNamed(`INSERT INTO audit_log (actor) VALUES ($1)`)]).toEqual(['audit_log']);
    expect([...tablesNamed(`UPDATE admin_users SET role = $2`)]).toEqual(['admin_users']);
    expect([...tablesNamed(`DELETE FROM admin_sessions WHERE id = $1`)]).toEqual(['admin_sessions']);
    expect([...tablesNamed(`SELECT to_regclass('profile_signing_key') IS NOT NULL`)]).toEqual([
      'profile_signing_key',
    ]);
    expect([...tablesNamed(`WITH d AS (SELECT 1) SELECT * FROM d JOIN unnest($1) x ON true`)]).toEqual([]);
    expect([
      ...tablesNamed(`// the count comes FROM agents, see below\nconst s = 'heard from agents';`),
    ]).toEqual([]);
  });

  it('names an owner for every table the migrations create', () => {
    const created = new Set<string>();
    for (const name of readdirSync(MIGRATIONS).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(MIGRATIONS, name), 'utf8');
      for (const m of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)/g))
        created.add(m[1]!);
    }
    expect([...created].filter((t) => !(t in OWNER)).sort()).toEqual([]);
    expect(Object.keys(OWNER).filter((t) => !created.has(t))).toEqual([]);
  });

  it('names only existing folders as owners', () => {
    const folders = new Set(
      readdirSync(ROOT, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name),
    );
    expect([...new Set(Object.values(OWNER))].filter((f) => !folders.has(f))).toEqual([]);
  });

  it('no file names a table outside its owner or a report module that may read it', () => {
    expect(violations()).toEqual([]);
  });
});

describe('lint keeps SQL and the ORM in repositories, report queries and database/ (ADR 3, ADR 47)', () => {
  const source = [
    "import { DataSource } from 'typeorm';",
    'export const take = (db: DataSource, id: string) =>',
    '  db.query(`SELECT id, phase FROM certificate_rotations WHERE id = $1`, [id]);',
    '',
  ].join('\n');
  const notify = 'export const sql = `SELECT count(pg_notify($1, e)) FROM unnest($2::text[]) AS e`;\n';

  it('flags both in a service, allows both in a repository, a report query and database/', () => {
    expect(
      lintRules([
        ['apps/central/src/rotation/rotation-steps.ts', source],
        ['apps/central/src/rotation/rotation.repository.ts', source],
        ['apps/central/src/migration/migration-gate.query.ts', source],
        ['apps/central/src/database/database.ts', source],
        // A statement on no table (a NOTIFY) is no SQL to move.
        ['apps/central/src/rotation/rotation-steps.ts', notify],
      ]),
    ).toEqual([['no-restricted-imports', 'switchyard/no-sql-outside-repositories'], [], [], [], []]);
  });
});
