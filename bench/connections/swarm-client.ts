import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type SwarmCommand, type SwarmConfig, type SwarmReply } from './swarm-protocol.js';

type ReplyOf<T extends SwarmReply['type']> = Extract<SwarmReply, { type: T }>;

const SWARM_SCRIPT = fileURLToPath(new URL('./agent-swarm.js', import.meta.url));

/** The orchestrator's handle on one agent-swarm child: one command at a time, one reply each. */
export class SwarmClient {
  private readonly child: ChildProcess;
  private pending:
    { type: SwarmReply['type']; resolve: (r: SwarmReply) => void; reject: (e: Error) => void } | undefined;
  private exitError: Error | undefined;
  /** Latest progress of a connect phase. */
  progress = { done: 0, failed: 0 };

  private constructor(
    readonly name: string,
    script: string,
  ) {
    this.child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.child.on('message', (message: SwarmReply) => this.receive(message));
    this.child.on('exit', (code, signal) => {
      this.exitError = new Error(`${this.name} exited (${signal ?? code})`);
      this.pending?.reject(this.exitError);
      this.pending = undefined;
    });
  }

  /** `script`: the compiled agent-swarm.js (tests running from sources pass the one under dist/). */
  static async start(name: string, config: SwarmConfig, script = SWARM_SCRIPT): Promise<SwarmClient> {
    const swarm = new SwarmClient(name, script);
    await swarm.request({ type: 'configure', config }, 'ready');
    return swarm;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T extends SwarmReply['type']>(
    command: SwarmCommand,
    expect: T,
    timeoutMs = 600_000,
  ): Promise<ReplyOf<T>> {
    if (this.exitError) return Promise.reject(this.exitError);
    if (this.pending) return Promise.reject(new Error(`${this.name}: a command is already running`));
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new Error(`${this.name}: no ${expect} reply to ${command.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = {
        type: expect,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as ReplyOf<T>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.child.send(command);
    });
  }

  /** Asks the child to exit; kills it (by its own PID) if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies SwarmCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private receive(message: SwarmReply): void {
    if (message.type === 'progress') {
      this.progress = { done: message.done, failed: message.failed };
      return;
    }
    const pending = this.pending;
    if (message.type === 'error') {
      this.pending = undefined;
      pending?.reject(new Error(`${this.name}: ${message.message}`));
      return;
    }
    if (pending && pending.type === message.type) {
      this.pending = undefined;
      pending.resolve(message);
    }
  }
}
