import { RawAgent } from './raw-agent.js';

/**
 * A protocol-level agent that answers profile.sync / profile.activate with profile.status as a real
 * agent would (synchronizing → synchronized, applying → applied), after `delayMs` per step so a
 * browser can watch progress move. Same idea as test/medium/rollouts.spec.ts's ScriptedAgent.
 */
export class ScriptedAgent {
  raw!: RawAgent;
  active: string | null = null;
  staged: string | null = null;

  constructor(
    readonly id: string,
    readonly delayMs = 0,
  ) {}

  async connect(url: string, secret: string): Promise<void> {
    this.raw = new RawAgent({ url, agentId: this.id, secret });
    this.raw.socket.on('message', (data) =>
      this.answer(JSON.parse(data.toString()) as Record<string, unknown>),
    );
    await this.raw.opened;
    this.raw.hello('plain', {
      agentVersion: '1.0.0',
      capabilities: ['wss'],
      profileSha256: this.active,
      stagedProfileSha256: this.staged,
    });
    await this.raw.welcome();
  }

  close(): void {
    this.raw?.socket.close();
  }

  private status(frame: Record<string, unknown>, state: string): void {
    this.raw.send({ type: 'profile.status', deliveryId: frame.deliveryId, sha256: frame.sha256, state });
  }

  private answer(frame: Record<string, unknown>): void {
    if (frame.type !== 'profile.sync' && frame.type !== 'profile.activate') return;
    const sha = frame.sha256 as string;
    const sync = frame.type === 'profile.sync';
    this.status(frame, sync ? 'synchronizing' : 'applying');
    setTimeout(() => {
      if (this.raw.socket.readyState !== this.raw.socket.OPEN) return;
      if (sync) this.staged = sha;
      else [this.active, this.staged] = [sha, null];
      this.status(frame, sync ? 'synchronized' : 'applied');
    }, this.delayMs);
  }
}
