import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';

/**
 * Loads something once (and again on reload()), keeping the last value while reloading. When loads
 * overlap (a page clicked twice quickly), only the latest one started is kept, whatever order they end in.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++latest.current;
    setLoading(true);
    try {
      const loaded = await run();
      if (mine !== latest.current) return;
      setValue(loaded);
      setError(undefined);
    } catch (e) {
      if (mine === latest.current) setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, error, loading, reload, setValue };
}
