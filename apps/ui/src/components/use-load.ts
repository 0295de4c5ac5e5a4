import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isUnreachable } from '../api/client.js';
import { messageOf } from './errors.js';

/** How long a load waits before it tries again while central is not answering. */
export const RETRY_MS = 5_000;

/**
 * Loads something once (and again on reload()), keeping the last value while reloading. When loads
 * overlap (a page clicked twice quickly), only the latest one started is kept, whatever order they end in.
 * While central is not answering the load retries by itself, and says so.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const retry = useRef<number | undefined>(undefined);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++latest.current;
    window.clearTimeout(retry.current);
    setLoading(true);
    try {
      const loaded = await run();
      if (mine !== latest.current) return;
      setValue(loaded);
      setError(undefined);
    } catch (e) {
      if (mine !== latest.current) return;
      if (isUnreachable(e)) {
        setError(`${messageOf(e)} — retrying`);
        retry.current = window.setTimeout(() => void reload(), RETRY_MS);
      } else setError(messageOf(e));
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
    return () => window.clearTimeout(retry.current);
  }, [reload]);
  return { value, error, loading, reload, setValue };
}
