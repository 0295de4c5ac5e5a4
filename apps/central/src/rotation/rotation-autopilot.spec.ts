import { jest } from '@jest/globals';
import { generateSelfSignedServerCertificate } from '../../../../libs/pki/index.js';
import { type AgentTrustFacts } from '../agents/agent-trust.repository.js';
import { DomainError } from '../common/domain-error.js';
import { type RolloutProgress } from '../migration/secure-rollout.port.js';
import { RotationAutopilot } from './rotation-autopilot.js';
import { type RotationDeps } from './rotation-deps.js';
import { anchorOf } from './rotation-truststore.js';
import { type AutomaticBlock, type StoredRotation } from './rotation.repository.js';
import { type RotationService } from './rotation.service.js';

/** The automatic rotation's decisions with the database and services replaced by fakes (ADR 32). */
describe('RotationAutopilot', () => {
  let oldPem: string;
  let newPem: string;
  beforeAll(async () => {
    oldPem = (await generateSelfSignedServerCertificate({ hosts: ['old.test'], validityDays: 30 }))
      .certificatePem;
    newPem = (await generateSelfSignedServerCertificate({ hosts: ['new.test'], validityDays: 30 }))
      .certificatePem;
  });

  const agent = (id: string, pem: string): AgentTrustFacts => ({
    id,
    status: 'online',
    transport: 'secure',
    via: null,
    agentVersion: '0.2.0',
    lastSeenAt: new Date(),
    trustAnchors: [{ sha256: anchorOf(pem).sha256, subject: anchorOf(pem).subject }],
    reportedAt: new Date(),
  });

  function setUp(o: {
    rotation?: Partial<StoredRotation>;
    agents: AgentTrustFacts[];
    rollout?: Partial<RolloutProgress>;
    advance?: () => Promise<unknown>;
    gateGraceMs?: number;
  }) {
    let blocked: AutomaticBlock | null = null;
    const rollout = { ...o.rollout };
    const rotation = {
      id: 'r1',
      phase: 'trust_published',
      chainPem: newPem,
      automatic: 'acme',
      automaticBlocked: null,
      trustRollouts: [{ profile: 'default', revision: 2, rolloutId: 'ro1' }],
      ...o.rotation,
    } as StoredRotation;
    const audit = jest.fn<RotationDeps['audit']>(() => Promise.resolve());
    const deps = {
      repo: {
        findOpen: () => Promise.resolve({ ...rotation, automaticBlocked: blocked }),
        setAutomaticBlocked: (_id: string, b: AutomaticBlock | null) => {
          blocked = b;
          return Promise.resolve();
        },
      },
      activeCertificate: () => Promise.resolve({ id: 'c1', chainPem: oldPem }),
      trust: { knownSecureAgents: () => Promise.resolve(o.agents) },
      windowHours: 24,
      rolloutProgress: () =>
        Promise.resolve({ state: 'running', stateReason: null, ...rollout } as RolloutProgress),
      audit,
    } as unknown as RotationDeps;
    const advance = jest.fn<(id: string, req: object, actor: object) => Promise<unknown>>(
      o.advance ?? (() => Promise.resolve()),
    );
    const service = { advance } as unknown as RotationService;
    const pilot = new RotationAutopilot(deps, service, (work) => work(), {
      everyMs: 1000,
      gateGraceMs: o.gateGraceMs ?? 0,
    });
    return { pilot, advance, audit, blocked: () => blocked, rollout };
  }

  it('leaves an operator’s rotation alone', async () => {
    const t = setUp({ rotation: { automatic: null }, agents: [] });
    expect(await t.pilot.tick()).toBe('idle');
    expect(t.advance).not.toHaveBeenCalled();
  });

  it('publishes a staged rotation and cleans up an activated one, as system', async () => {
    const staged = setUp({ rotation: { phase: 'staged' }, agents: [] });
    expect(await staged.pilot.tick()).toBe('advanced');
    expect(staged.advance).toHaveBeenCalledWith(
      'r1',
      { reason: expect.stringMatching(/publish the trust of both anchors/) },
      { name: 'system' },
    );
    const activated = setUp({ rotation: { phase: 'activated' }, agents: [] });
    expect(await activated.pilot.tick()).toBe('advanced');
    expect(activated.advance.mock.calls[0]?.[1]).toEqual({ reason: expect.stringMatching(/clean up/) });
  });

  it('activates once every known agent reports the new anchor, and waits while one does not', async () => {
    const waiting = setUp({ agents: [agent('a', newPem), agent('b', oldPem)] });
    expect(await waiting.pilot.tick()).toBe('waiting');
    expect(waiting.advance).not.toHaveBeenCalled();
    const ready = setUp({ agents: [agent('a', newPem), agent('b', newPem)] });
    expect(await ready.pilot.tick()).toBe('advanced');
    expect(ready.advance.mock.calls[0]?.[1]).toEqual({ reason: expect.stringMatching(/2\/2.*activate/) });
  });

  it('stops and warns once when a trust rollout halted, and goes on when it is resumed', async () => {
    const t = setUp({
      agents: [agent('a', oldPem)],
      rollout: { state: 'halted', stateReason: 'failure threshold reached' },
    });
    expect(await t.pilot.tick()).toBe('blocked');
    expect(await t.pilot.tick()).toBe('blocked');
    expect(t.advance).not.toHaveBeenCalled();
    expect(t.blocked()?.reason).toMatch(/rollout ro1 .* is halted \(failure threshold reached\)/);
    expect(t.audit).toHaveBeenCalledTimes(1); // once per cause, not at every look
    expect(t.audit).toHaveBeenCalledWith(
      { name: 'system' },
      'certificate rotation automatic',
      'refused',
      expect.objectContaining({ rotationId: 'r1', phase: 'trust_published' }),
    );
    t.rollout.state = 'running';
    expect(await t.pilot.tick()).toBe('waiting');
    expect(t.blocked()).toBeNull();
  });

  it('says the gate cannot pass when the rollouts completed but an agent never reports the new anchor', async () => {
    const t = setUp({ agents: [agent('a', newPem), agent('b', oldPem)], rollout: { state: 'completed' } });
    expect(await t.pilot.tick()).toBe('blocked');
    expect(t.blocked()?.reason).toMatch(/gate cannot pass.*1 of 2 .*b \(trusts only/);
    expect(t.advance).not.toHaveBeenCalled();
  });

  it('turns a refused step into a warning instead of forcing', async () => {
    const t = setUp({
      rotation: { phase: 'activated' },
      agents: [],
      advance: () =>
        Promise.reject(new DomainError('served_certificate_changed', 'the served certificate changed')),
    });
    expect(await t.pilot.tick()).toBe('blocked');
    expect(t.blocked()?.reason).toMatch(/cannot take the next step: the served certificate changed/);
    expect(t.advance).toHaveBeenCalledTimes(1);
    expect(t.advance.mock.calls[0]?.[1]).not.toHaveProperty('force');
  });
});
