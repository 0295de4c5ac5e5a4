import { ConfigError } from '../config/central-config.js';

/** How the automatic rotation (ADR 32) paces itself, from the environment. */
export interface AutopilotConfig {
  /** How often each node looks whether the automatic rotation can take its next step. */
  everyMs: number;
  /**
   * How long the gate may stay closed after every trust rollout completed before the rotation warns
   * that it cannot pass (agents report their anchors a moment after applying; offline ones never do).
   */
  gateGraceMs: number;
}

export function loadAutopilotConfig(env: NodeJS.ProcessEnv = process.env): AutopilotConfig {
  const issues: Array<{ variable: string; message: string }> = [];
  const ms = (variable: string, fallback: number, min: number, max: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) {
      issues.push({ variable, message: `must be a whole number of milliseconds between ${min} and ${max}` });
      return fallback;
    }
    return n;
  };
  const config = {
    everyMs: ms('SWITCHYARD_ROTATION_AUTOPILOT_MS', 15_000, 100, 3_600_000),
    gateGraceMs: ms('SWITCHYARD_ROTATION_GATE_GRACE_MS', 10 * 60_000, 0, 7 * 86_400_000),
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
