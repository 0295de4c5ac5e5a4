import { jest } from '@jest/globals';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '../../../../libs/protocol/index.js';
import { AgentSession, type SessionHooks } from './agent-session.js';

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
    const pair = await sessionPair(hooks);
    const pinged = once(pair.client, 'ping');
    pair.client.send(hello);
    await pinged;
    expect(JSON.parse(pair.received[0]!)).toMatchObject({ type: 'welcome', agentId: 'agent-1' });
    expect(calls).toEqual(['welcomed']);
    expect(pair.session.open).toBe(true);
    pair.client.close();
    await once(pair.socket, 'close');
  });
});
