import { agentWebSocketUrl, type AgentConf } from '../../../libs/agent-conf/index.js';
import type { AgentHome } from './agent-home.js';
import { loadTrustedCaPems, type TruststoreReader, type TruststoreSettings } from './trust.js';

/** Where and how to connect. A secure target never falls back to plain. */
export interface ConnectionTarget {
  url: string;
  host: string;
  port: number;
  secure: boolean;
  /** PEMs of the only CAs trusted for wss (the truststore's); required when secure. */
  caPems?: string[];
  /** Presented when central asks for a client certificate (mutual TLS); wss only. */
  clientCertificate?: { chainPem: string; keyPem: string };
}

/** Loads a truststore's CAs as PEM (the runner's goes through its TruststoreWatch). */
export type TrustedCaLoader = (settings: TruststoreSettings, paths: Pick<AgentHome, 'resolve'>) => string[];

/**
 * Where and how agent.conf says to connect; for wss the truststore is loaded now (relative paths through
 * `paths`: the home, or a staged profile's tree). Throws TrustError when the truststore is unusable:
 * there is no wss connection without it, and never a fallback to plain.
 */
export function connectionTarget(
  conf: AgentConf,
  paths: Pick<AgentHome, 'resolve'>,
  readTruststore?: TruststoreReader,
  loadCas: TrustedCaLoader = (settings, at) => loadTrustedCaPems(settings, at, readTruststore),
): ConnectionTarget {
  const target: ConnectionTarget = {
    url: agentWebSocketUrl(conf),
    host: conf.centralHost,
    port: conf.secure ? conf.securePort : conf.plainPort,
    secure: conf.secure,
  };
  if (conf.secure) target.caPems = loadCas(conf.trustStore, paths);
  return target;
}

/**
 * How `next` connects differently from `current`, in words ("ws → wss", "port 8787 → 9150", "trusted
 * CAs"); empty when a profile can be applied without trying a new connection first.
 */
export function connectionChanges(
  current: { conf: AgentConf; target: ConnectionTarget },
  next: { conf: AgentConf; target: ConnectionTarget },
): string[] {
  const changes: string[] = [];
  const [a, b] = [current.target, next.target];
  if (a.secure !== b.secure) changes.push(`${a.secure ? 'wss' : 'ws'} → ${b.secure ? 'wss' : 'ws'}`);
  if (a.host !== b.host) changes.push(`host ${a.host} → ${b.host}`);
  if (a.port !== b.port) changes.push(`port ${a.port} → ${b.port}`);
  if (b.secure && a.secure) {
    const [x, y] = [current.conf.trustStore, next.conf.trustStore];
    if (x.path !== y.path || x.type !== y.type) changes.push(`truststore ${x.path} → ${y.path}`);
    if (x.password !== y.password) changes.push('truststore password');
    if (!sameSet(a.caPems ?? [], b.caPems ?? [])) changes.push('trusted CAs');
  }
  return changes;
}

function sameSet(a: string[], b: string[]): boolean {
  const normal = (pems: string[]) => [...new Set(pems.map((p) => p.trim()))].sort().join('\n');
  return normal(a) === normal(b);
}
