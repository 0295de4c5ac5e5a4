/**
 * A CPU profile of central for one phase, over the V8 inspector central was started with
 * (`CentralEnv.inspectPort`): Profiler.start before, Profiler.stop after. Only the bench's own central.
 */
import WebSocket from 'ws';

/** The parts of a V8 .cpuprofile this bench reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }>;
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** The parts of a V8 sampling heap profile (`.heapprofile`, Chrome DevTools) this bench reads. */
export interface HeapSamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  /** Bytes allocated by this function itself (sampled), at this place in the call tree. */
  selfSize: number;
  children: HeapSamplingNode[];
}

export interface HeapSamplingProfile {
  head: HeapSamplingNode;
}

/** One sample per this many bytes allocated on average (V8's default is 32 KB). */
const ALLOCATION_SAMPLING_BYTES = 16 * 1024;

export class CentralProfiler {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: unknown };
      if (message.id === undefined) return;
      this.waiting.get(message.id)?.(message.error ? { error: message.error } : message.result);
      this.waiting.delete(message.id);
    });
  }

  static async connect(port: number): Promise<CentralProfiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
      webSocketDebuggerUrl: string;
    }>;
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl, {
      perMessageDeflate: false,
      maxPayload: 0,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const profiler = new CentralProfiler(socket);
    await profiler.call('Profiler.enable');
    await profiler.call('Profiler.setSamplingInterval', { interval: 1000 }); // µs
    return profiler;
  }

  start(): Promise<unknown> {
    return this.call('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const result = (await this.call('Profiler.stop')) as { profile: CpuProfile };
    return result.profile;
  }

  /**
   * Samples what central allocates, including what garbage collection frees again before the stop (the
   * garbage is what GC costs): V8's sampling heap profiler with the objects collected counted.
   */
  async startAllocations(): Promise<void> {
    await this.call('HeapProfiler.enable');
    await this.call('HeapProfiler.startSampling', {
      samplingInterval: ALLOCATION_SAMPLING_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }

  async stopAllocations(): Promise<HeapSamplingProfile> {
    const result = (await this.call('HeapProfiler.stopSampling')) as { profile: HeapSamplingProfile };
    return result.profile;
  }

  close(): void {
    this.socket.close();
  }

  private call(method: string, params: object = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 60_000);
      this.waiting.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }
}
