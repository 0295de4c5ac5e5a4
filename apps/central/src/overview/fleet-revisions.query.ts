import { type DataSource } from 'typeorm';

/*
 * A REPORT (ADR 47): desired against running profile revisions across the fleet, for the overview
 * (ADR 41), grouped in the database so the answer has one row per revision in use whatever the number of
 * agents. Reads: agents (agents), agent_desired_profiles (rollouts), profile_revisions (profiles). Writes
 * nothing.
 */

/** One profile revision, with how many agents are meant to run it and how many say they do. */
export interface RevisionCount {
  profile: string;
  revision: number;
  /** Agents whose desired profile is this revision (set when a publish reaches them). */
  desired: number;
  /** Of those, the ones that report running it (their hello's profile). */
  desiredAndRunning: number;
  /** Every agent that reports running it, desired or not. */
  running: number;
}

export interface RevisionCounts {
  revisions: RevisionCount[];
  /** Unrevoked agents that report no profile, and those whose profile matches no known revision. */
  runningNone: number;
  runningUnknown: number;
}

interface RevisionCountRow {
  profile_name: string;
  revision: number;
  desired: number;
  desired_and_running: number;
  running: number;
}

/** A plain class: the overview module constructs it on the data source. */
export class FleetRevisionsQuery {
  constructor(private readonly db: Pick<DataSource, 'query'>) {}

  /**
   * Desired against reported revisions across the fleet, for the overview: grouped in the database, so the
   * answer has one row per revision in use whatever the number of agents. A sha256 names one revision
   * (the archive is signed per revision); should two ever share it, the newer one is counted.
   */
  async revisionCounts(): Promise<RevisionCounts> {
    const [revisions, others] = (await Promise.all([
      this.db.query(
        `WITH live AS (SELECT id, profile_sha256 FROM agents WHERE revoked_at IS NULL),
              desired AS (
                SELECT d.profile_name, d.revision, count(*)::int AS desired,
                       count(*) FILTER (WHERE l.profile_sha256 = d.sha256)::int AS desired_and_running
                  FROM agent_desired_profiles d JOIN live l ON l.id = d.agent_id
                 GROUP BY 1, 2),
              reported AS (
                SELECT r.profile_name, r.revision, sum(g.n)::int AS running
                  FROM (SELECT profile_sha256, count(*) AS n FROM live
                         WHERE profile_sha256 IS NOT NULL GROUP BY 1) g
                  JOIN LATERAL (SELECT pr.profile_name, pr.revision FROM profile_revisions pr
                                 WHERE pr.sha256 = g.profile_sha256 ORDER BY pr.created_at DESC LIMIT 1) r ON true
                 GROUP BY 1, 2)
         SELECT profile_name, revision, coalesce(d.desired, 0) AS desired,
                coalesce(d.desired_and_running, 0) AS desired_and_running, coalesce(r.running, 0) AS running
           FROM desired d FULL JOIN reported r USING (profile_name, revision)
          ORDER BY profile_name, revision DESC`,
      ),
      this.db.query(
        `SELECT count(*) FILTER (WHERE a.profile_sha256 IS NULL)::int AS none,
                count(*) FILTER (WHERE a.profile_sha256 IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM profile_revisions pr WHERE pr.sha256 = a.profile_sha256))::int AS unknown
           FROM agents a WHERE a.revoked_at IS NULL`,
      ),
    ])) as [RevisionCountRow[], Array<{ none: number; unknown: number }>];
    return {
      revisions: revisions.map((r) => ({
        profile: r.profile_name,
        revision: r.revision,
        desired: r.desired,
        desiredAndRunning: r.desired_and_running,
        running: r.running,
      })),
      runningNone: others[0]?.none ?? 0,
      runningUnknown: others[0]?.unknown ?? 0,
    };
  }
}
