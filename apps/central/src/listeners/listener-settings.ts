/** WebSocket Server Settings (docs/design.md §3), the record behind the Parameters tab. */
export interface WebSocketSettings {
  plain: { enabled: boolean; port: number; bindAddress: string; localhostFallback: boolean };
  secure: {
    enabled: boolean;
    port: number;
    bindAddress: string;
    clientAuth: 'none' | 'optional' | 'required';
    minTlsVersion: 'TLSv1.2' | 'TLSv1.3';
  };
}

/** Where the plain listener really binds: the localhost fallback when disabled (docs/design.md §3). */
export function effectivePlainBinding(s: WebSocketSettings): { address: string; port: number } | undefined {
  if (s.plain.enabled) return { address: s.plain.bindAddress, port: s.plain.port };
  return s.plain.localhostFallback ? { address: '127.0.0.1', port: s.plain.port } : undefined;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}
