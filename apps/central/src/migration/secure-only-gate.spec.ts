import { type AgentGateFacts } from './agent-gate-facts.js';
import { assessSecureOnly, observationWindowSeconds } from './secure-only-gate.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

function agent(id: string, over: Partial<AgentGateFacts> = {}, gapHours = 0): AgentGateFacts {
  return {
    id,
    status: 'offline',
    transport: 'secure',
    via: null,
    agentVersion: '0.1.0',
    capabilities: ['wss'],
    connectedAt: hoursAgo(40),
    lastSeenAt: hoursAgo(30),
    history: {
      lastTransport: 'secure',
      lastConnectedAt: hoursAgo(40),
      lastSecureAt: hoursAgo(40),
      lastPlainAt: null,
      longestOfflineGapSeconds: gapHours * 3600,
    },
    exemption: null,
    rollout: null,
    ...over,
  };
}

describe('secure_only gate', () => {
  it('gives each agent a window of 1.5 × its longest offline gap, never below the minimum', () => {
    expect(observationWindowSeconds(agent('a', {}, 0), 24)).toBe(24 * 3600);
    expect(observationWindowSeconds(agent('b', {}, 48), 24)).toBe(72 * 3600);
  });

  it('an agent away longer than usual is stranded; one away as usual is not', () => {
    const { stranded, breakdown } = assessSecureOnly(
      [agent('weekend', {}, 48), agent('missing', {}, 2)],
      NOW,
      24,
    );
    expect(breakdown.secure).toEqual(['weekend']);
    expect(stranded).toEqual([
      {
        agentId: 'missing',
        reasons: [{ code: 'offline', message: expect.stringMatching(/^offline since 2026-11-22T06:00:00Z/) }],
      },
    ]);
  });

  it('falls back to the current row for agents without history, and ignores exempt ones', () => {
    const noHistory = agent('old', { status: 'online', transport: 'plain', history: null });
    const exempt = agent('exempt', { transport: 'plain', exemption: { reason: 'x', expiresAt: NOW } });
    const { stranded, breakdown } = assessSecureOnly([noHistory, exempt], NOW, 24);
    expect(stranded.map((s) => [s.agentId, s.reasons.map((r) => r.code)])).toEqual([['old', ['plain']]]);
    expect(breakdown).toMatchObject({ plainButAble: ['old'], exempt: ['exempt'] });
  });

  it('an agent behind a TLS connector is secure-capable through it: listed, never "cannot do wss"', () => {
    const behind = { capabilities: [], agentVersion: '0.0.9', via: 'connector/branch-7' };
    const online = agent('legacy-on', { ...behind, status: 'online' });
    const away = agent('legacy-away', behind, 2);
    const { stranded, breakdown } = assessSecureOnly([online, away], NOW, 24);
    expect(breakdown).toMatchObject({ secure: ['legacy-on'], viaConnector: ['legacy-on', 'legacy-away'] });
    expect(stranded.map((s) => [s.agentId, s.reasons.map((r) => r.code)])).toEqual([
      ['legacy-away', ['offline']],
    ]);
  });
});
