import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type LiveChannel } from './api/live.js';
import { type Session } from './api/session.js';

export interface AppContext {
  session: Session;
  live: LiveChannel;
}

export const Ctx = createContext<AppContext | undefined>(undefined);

export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useApp outside the logged-in app');
  return ctx;
}
