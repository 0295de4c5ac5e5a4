// Test helper: a few raw agent sessions on a test central's plain listener, for the UI journeys that
// need agents listed but not driven (each enrolled, said hello and was welcomed).
import { type TestCentral } from './in-process-central.js';
import { RawAgent } from './raw-agent.js';

export interface RawFleetAgent {
  id: string;
  /** Fields of its hello besides the defaults (groups, agentVersion, capabilities, …). */
  hello?: Record<string, unknown>;
}

/** Connects `agents` in order with one fresh enrollment token; each is welcomed before the next connects. */
export async function welcomedRawAgents(
  central: TestCentral,
  agents: readonly RawFleetAgent[],
): Promise<RawAgent[]> {
  const { token } = await central.api.ok<{ token: string }>('POST', '/api/agents/enrollment-tokens', {
    expiresInMinutes: 10,
  });
  const connected: RawAgent[] = [];
  for (const a of agents) {
    const raw = new RawAgent({
      url: `ws://127.0.0.1:${central.ports.plain}/agent`,
      agentId: a.id,
      secret: token,
    });
    await raw.opened;
    raw.hello('plain', a.hello ?? {});
    await raw.welcome();
    connected.push(raw);
  }
  return connected;
}
