import { readEnvironment } from '../config/environment.js';

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

/** This domain's part of the environment (config/environment.ts validates every variable at once). */
export function loadAutopilotConfig(env: NodeJS.ProcessEnv = process.env): AutopilotConfig {
  const e = readEnvironment(env);
  return { everyMs: e.SWITCHYARD_ROTATION_AUTOPILOT_MS, gateGraceMs: e.SWITCHYARD_ROTATION_GATE_GRACE_MS };
}
