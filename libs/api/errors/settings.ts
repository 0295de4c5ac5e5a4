import { type ErrorCategory } from './category.js';

/** Refusals of `/api/settings/websocket` and of the listeners applying them. */
export const SETTINGS_ERRORS = {
  settings_changed_meanwhile: 'conflict',
  /** Connected agents would be cut off or refused; `agents` lists them. */
  settings_would_strand_agents: 'would_strand_agents',
  /** A listener could not be bound as asked; nothing was stored. */
  listener_bind_failed: 'listener_failed',
} as const satisfies Record<string, ErrorCategory>;

export type SettingsErrorCode = keyof typeof SETTINGS_ERRORS;
