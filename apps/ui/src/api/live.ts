import type { LiveMessage } from '../../../../libs/api/live.js';
import { sessionEnded } from './client.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Close code central uses when the session behind the socket has ended. */
const SESSION_ENDED = 4401;

/**
 * The live socket (/api/live): server → browser messages, reconnecting with capped backoff. Opened
 * only after login, so the upgrade never meets a missing session.
 */
export class LiveChannel {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private retry: number | undefined;
  private stopped = false;
  private readonly listeners = new Set<(m: LiveMessage) => void>();
  private readonly stateListeners = new Set<(s: LiveState) => void>();
  state: LiveState = 'connecting';

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retry);
    this.socket?.close(1000, 'logout');
    this.socket = undefined;
    this.setState('closed');
  }

  subscribe(listener: (m: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (s: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('live');
    };
    socket.onmessage = (e) => {
      const message = JSON.parse(String(e.data)) as LiveMessage;
      for (const l of this.listeners) l(message);
    };
    socket.onclose = (e) => {
      if (this.socket !== socket || this.stopped) return;
      if (e.code === SESSION_ENDED) {
        this.setState('closed');
        sessionEnded();
        return;
      }
      this.setState('reconnecting');
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      this.retry = window.setTimeout(() => this.open(), delay);
    };
  }

  private setState(state: LiveState): void {
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }
}
