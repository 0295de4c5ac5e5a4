import { jest } from '@jest/globals';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_PROFILE_ARCHIVE_BYTES, PROTOCOL_VERSION } from '../../../../libs/protocol/index.js';
import { AGENT_FRAME_BURST, AgentSession, helloDeadlines, type SessionHooks } from './agent-session.js';

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.terminate();
  for (const s of servers.splice(0)) s.close();
});

/** A real WebSocket pair on loopback: the server side is wrapped in an AgentSession. */
async function sessionPair(hooks: SessionHooks, heartbeatIntervalMs = 20) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data: Buffer) => received.push(data.toString()));
  await once(client, 'open');
  const [socket] = await accepted;
  servers.push(server);
  clients.push(client);
  const session = new AgentSession(
    socket,
    {
      agentId: 'agent-1',
      transport: 'plain',
      remoteAddress: '127.0.0.1',
      listenerAddress: '127.0.0.1',
      issuedCredential: undefined,
      credentialHash: 'hash',
      nodeId: 'node-1',
      heartbeatIntervalMs,
    },
    hooks,
  );
  return { server, client, socket, session, received };
}

const hello = JSON.stringify({
  type: 'hello',
  agentId: 'agent-1',
  agentVersion: '0.1.0',
  protocolVersion: PROTOCOL_VERSION,
  capabilities: ['wss'],
  profileSha256: null,
  transport: 'plain',
});

describe('AgentSession', () => {
  it('records an agent that leaves while its hello is recorded as ended after online, and never welcomes it', async () => {
    const calls: string[] = [];
    let finishHello!: () => void;
    const helloRecorded = new Promise<void>((resolve) => (finishHello = resolve));
    let endRecorded!: () => void;
    const ended = new Promise<void>((resolve) => (endRecorded = resolve));
    const hooks: SessionHooks = {
      onHello: async () => {
        calls.push('hello started');
        await helloRecorded;
        calls.push('hello recorded');
        return { desiredProfile: null };
      },
      onWelcomed: () => void calls.push('welcomed'),
      onProfileStatus: async () => undefined,
      onEnd: async (_session, status) => {
        calls.push(`ended ${status}`);
        endRecorded();
      },
    };
    const pair = await sessionPair(hooks);
    const pinged = jest.spyOn(pair.socket, 'ping');
    pair.client.send(hello);
    while (calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    pair.client.terminate(); // the agent is gone while central still records its hello
    await once(pair.socket, 'close');
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['hello started']); // the end waits for the hello

    finishHello();
    await ended;
    await new Promise((r) => setTimeout(r, 100)); // five heartbeat intervals
    expect(calls).toEqual(['hello started', 'hello recorded', 'ended disconnected']);
    expect(pinged).not.toHaveBeenCalled();
    expect(pair.session.open).toBe(false);
    expect(pair.received).toEqual([]);
  });

  it('welcomes an agent that stays and then pings it on the heartbeat interval', async () => {
    const calls: string[] = [];
    const hooks: SessionHooks = {
      onHello: async () => ({ desiredProfile: null }),
      onWelcomed: () => void calls.push('welcomed'),
      onProfileStatus: async () => undefined,
      onEnd: async () => void calls.push('ended'),
    };
    // 1 s: the shortest heartbeat a welcome may carry (central checks every frame it sends)
    const pair = await sessionPair(hooks, 1000);
    const pinged = once(pair.client, 'ping');
    pair.client.send(hello);
    await pinged;
    expect(JSON.parse(pair.received[0]!)).toMatchObject({ type: 'welcome', agentId: 'agent-1' });
    expect(calls).toEqual(['welcomed']);
    expect(pair.session.open).toBe(true);
    pair.client.close();
    await once(pair.socket, 'close');
  });

  const quietHooks = (calls: string[] = []): SessionHooks => ({
    onHello: async () => ({ desiredProfile: null }),
    onWelcomed: () => void calls.push('welcomed'),
    onProfileStatus: async () => void calls.push('status'),
    onEnd: async () => void calls.push('ended'),
    onPolicyClose: (_session, reason) => void calls.push(`policy: ${reason}`),
  });

  it('waits for hello on the shared deadline timer, not a timer of its own, and closes with 1008 when it is late', async () => {
    const first = await sessionPair(quietHooks(), 60_000); // its deadline may have started the shared timer
    const timeouts = jest.spyOn(globalThis, 'setTimeout');
    const second = await sessionPair(quietHooks(), 60_000);
    const late = await sessionPair(quietHooks(), 60_000);
    expect(timeouts).not.toHaveBeenCalled(); // ADR 54
    timeouts.mockRestore();
    const waiting = helloDeadlines.size;
    second.client.send(hello);
    while (second.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(helloDeadlines.size).toBe(waiting - 1); // its hello came
    first.client.terminate();
    await once(first.socket, 'close');
    expect(helloDeadlines.size).toBe(waiting - 2); // gone without hello: nothing left to time
    const closed = once(late.client, 'close') as Promise<[number, Buffer]>;
    late.session.helloOverdue(); // what the shared timer calls 10 s after the upgrade
    const [code, reason] = await closed;
    expect(code).toBe(1008);
    expect(reason.toString()).toBe('no hello within 10 s');
  });

  it('never sends a frame an agent would refuse, and gives the reason instead', async () => {
    const pair = await sessionPair(quietHooks(), 60_000);
    const sync = {
      type: 'profile.sync',
      deliveryId: 'r:1',
      profile: 'p',
      revision: 1,
      sha256: 'c'.repeat(64),
      sizeBytes: 1024,
    } as const;
    expect(pair.session.tryDeliver(sync)).toEqual({ sent: false }); // no welcome yet
    pair.client.send(hello);
    while (!pair.session.open) await new Promise((r) => setTimeout(r, 5));
    expect(pair.session.tryDeliver({ ...sync, sizeBytes: MAX_PROFILE_ARCHIVE_BYTES + 1 })).toEqual({
      sent: false,
      reason: expect.stringMatching(/^profile\.sync would be refused by the agent: sizeBytes: /),
    });
    expect(pair.session.tryDeliver(sync)).toEqual({ sent: true });
    expect(pair.session.deliver({ ...sync, sha256: 'NOT HEX' })).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(pair.received.map((f) => JSON.parse(f).type as string)).toEqual(['welcome', 'profile.sync']);
    expect(JSON.parse(pair.received[1]!)).toEqual(sync);
  });

  it('closes a client that floods frames with 1008 and reports it once; a burst within the limit passes', async () => {
    const calls: string[] = [];
    const pair = await sessionPair(quietHooks(calls), 60_000);
    pair.client.send(hello);
    while (!pair.session.open) await new Promise((r) => setTimeout(r, 5));
    const answer = JSON.stringify({
      type: 'profile.status',
      deliveryId: 'r:1',
      sha256: 'c'.repeat(64),
      state: 'synchronizing',
    });
    for (let i = 0; i < AGENT_FRAME_BURST - 10; i++) pair.client.send(answer);
    await new Promise((r) => setTimeout(r, 200));
    expect(pair.session.open).toBe(true);
    const closed = once(pair.client, 'close') as Promise<[number, Buffer]>;
    for (let i = 0; i < 2000; i++) pair.client.send(answer);
    const [code, reason] = await closed;
    expect(code).toBe(1008);
    expect(reason.toString()).toMatch(/^frame rate limit: /);
    expect(calls.filter((c) => c.startsWith('policy: '))).toEqual([
      'policy: frame rate limit: more than 200 frames at once or 50 frames/s sustained',
    ]);
    // the burst, what the rate refilled meanwhile, and nothing of the flood after the limit
    expect(calls.filter((c) => c === 'status').length).toBeLessThan(2 * AGENT_FRAME_BURST);
  });
});

describe('AgentSession: agent.event (ADR 51)', () => {
  const event = JSON.stringify({
    type: 'agent.event',
    kind: 'local_api.wrong_password',
    reason: 'wrong user name or password from 127.0.0.1 (1 within the last minute)',
    count: 3,
    firstAt: '2026-12-07T10:00:00.000Z',
    lastAt: '2026-12-07T10:00:01.000Z',
    address: '127.0.0.1',
  });
  const helloWith = (capabilities: string[]) => JSON.stringify({ ...JSON.parse(hello), capabilities });

  function hooks(events: unknown[]): SessionHooks {
    return {
      onHello: () => Promise.resolve({ desiredProfile: null }),
      onWelcomed: () => undefined,
      onProfileStatus: async () => undefined,
      onEnd: async () => undefined,
      onAgentEvent: (_session, e) => void events.push(e),
    };
  }

  it('says in welcome that it accepts agent.event only to an agent that announced it, and records them', async () => {
    const events: unknown[] = [];
    const pair = await sessionPair(hooks(events), 60_000);
    pair.client.send(helloWith(['wss', 'agent-events']));
    while (pair.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(JSON.parse(pair.received[0]!)).toMatchObject({ type: 'welcome', accepts: ['agent.event'] });
    pair.client.send(event);
    while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(events[0]).toMatchObject({ kind: 'local_api.wrong_password', count: 3 });
  });

  it('keeps welcome as older agents know it, and closes on an agent.event it never offered to take', async () => {
    const events: unknown[] = [];
    const pair = await sessionPair(hooks(events), 60_000);
    pair.client.send(hello);
    while (pair.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(JSON.parse(pair.received[0]!)).not.toHaveProperty('accepts');
    const closed = once(pair.client, 'close') as Promise<[number, Buffer]>;
    pair.client.send(event);
    const [code, reason] = await closed;
    expect(code).toBe(1008);
    expect(reason.toString()).toBe('agent.event without the agent-events capability');
    expect(events).toEqual([]);
  });
});
