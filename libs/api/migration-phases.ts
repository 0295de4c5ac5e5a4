/** The phases of the plain → secure migration, in order (docs/design.md §7). */
export const MIGRATION_PHASES = ['plain_only', 'dual', 'secure_published', 'secure_only'] as const;

export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

/** Why the `secure_only` gate would strand an agent (a list without zod: the admin UI imports it). */
export const STRAND_REASONS = ['offline', 'plain', 'cannot_wss', 'failed_apply', 'never_connected'] as const;
export type StrandReasonCode = (typeof STRAND_REASONS)[number];
