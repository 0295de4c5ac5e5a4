import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Agent profiles (drafts and immutable revisions), central's profile-signing key, rollouts with their
 * per-agent delivery state, and agent groups as rollout targets (docs/design.md §5, §8; ADR 0009).
 */
export class ProfilesAndRollouts1763971500000 implements MigrationInterface {
  name = 'ProfilesAndRollouts1763971500000';

  async up(q: QueryRunner): Promise<void> {
    // One Ed25519 key per installation; id is always 1 so racing nodes converge on the first row.
    await q.query(`
      CREATE TABLE profile_signing_key (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        public_key_pem text NOT NULL,
        private_key_encrypted text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The draft is what admins edit; prepare turns it into the next revision.
    await q.query(`
      CREATE TABLE profiles (
        name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
        built_in boolean NOT NULL DEFAULT false,
        description text NOT NULL DEFAULT '',
        copied_from text,
        draft_agent_conf text NOT NULL,
        -- [{ "source": "server-anchor" | "local-ca" | "uploaded", "alias": text, "pem"?: text }]
        draft_truststore jsonb NOT NULL DEFAULT '[{"source":"server-anchor","alias":"switchyard-central"}]',
        truststore_password_encrypted text NOT NULL,
        minimum_agent_version text NOT NULL DEFAULT '0.1.0',
        required_capabilities jsonb NOT NULL DEFAULT '[]',
        draft_version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);
    // Immutable: rows are inserted, never updated (history is never rewritten; rollback = publish an older one).
    await q.query(`
      CREATE TABLE profile_revisions (
        profile_name text NOT NULL REFERENCES profiles (name) ON DELETE RESTRICT,
        revision integer NOT NULL CHECK (revision >= 1),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size_bytes integer NOT NULL,
        archive bytea NOT NULL,
        manifest jsonb NOT NULL,
        agent_conf text NOT NULL,
        -- [{ "alias": text, "fingerprintSha256": text, "subject": text, "pem": text }]
        truststore jsonb NOT NULL,
        minimum_agent_version text NOT NULL,
        required_capabilities jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (profile_name, revision)
      )`);
    await q.query(`CREATE INDEX profile_revisions_sha256 ON profile_revisions (sha256)`);

    await q.query(`ALTER TABLE agents ADD COLUMN groups text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE agents ADD COLUMN staged_profile_sha256 text`);
    // What the agent should run: set when a publish reaches it, compared with every hello (docs/design.md §8).
    await q.query(`
      CREATE TABLE agent_desired_profiles (
        agent_id text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
        profile_name text NOT NULL,
        revision integer NOT NULL,
        sha256 text NOT NULL,
        rollout_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (profile_name, revision) REFERENCES profile_revisions (profile_name, revision)
      )`);

    await q.query(`
      CREATE TABLE rollouts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        profile_name text NOT NULL,
        revision integer NOT NULL,
        mode text NOT NULL CHECK (mode IN ('synchronize', 'publish')),
        -- { "all": true } | { "agentIds": [...] } | { "groups": [...] }
        targets jsonb NOT NULL,
        -- the wave sizes as requested ({ "sizes": [...] } or { "percentages": [...] }) and as resolved
        waves jsonb NOT NULL,
        wave_count integer NOT NULL CHECK (wave_count >= 1),
        current_wave integer NOT NULL DEFAULT 1,
        success_threshold_percent integer NOT NULL CHECK (success_threshold_percent BETWEEN 1 AND 100),
        pause_between_waves boolean NOT NULL DEFAULT false,
        -- { "count": n } | { "percent": n }
        error_threshold jsonb NOT NULL,
        state text NOT NULL DEFAULT 'running'
          CHECK (state IN ('running', 'paused', 'awaiting_approval', 'halted', 'completed', 'cancelled')),
        state_reason text,
        step_timeout_seconds integer NOT NULL DEFAULT 300,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        FOREIGN KEY (profile_name, revision) REFERENCES profile_revisions (profile_name, revision)
      )`);
    await q.query(`
      CREATE TABLE rollout_agents (
        rollout_id uuid NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
        agent_id text NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        wave integer NOT NULL,
        state text NOT NULL DEFAULT 'pending'
          CHECK (state IN ('pending', 'needs_upgrade', 'synchronizing', 'synchronized', 'applying', 'applied',
                           'failed', 'stale', 'cancelled')),
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        state_changed_at timestamptz NOT NULL DEFAULT now(),
        synchronized_at timestamptz,
        applied_at timestamptz,
        PRIMARY KEY (rollout_id, agent_id)
      )`);
    await q.query(`CREATE INDEX rollout_agents_agent ON rollout_agents (agent_id)`);
    await q.query(
      `CREATE INDEX rollouts_active ON rollouts (state) WHERE state IN ('running', 'paused', 'awaiting_approval')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rollout_agents');
    await q.query('DROP TABLE rollouts');
    await q.query('DROP TABLE agent_desired_profiles');
    await q.query('ALTER TABLE agents DROP COLUMN staged_profile_sha256');
    await q.query('ALTER TABLE agents DROP COLUMN groups');
    await q.query('DROP TABLE profile_revisions');
    await q.query('DROP TABLE profiles');
    await q.query('DROP TABLE profile_signing_key');
  }
}
