import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { KeystoreError, readTruststore } from '../../../../libs/keystore/index.js';
import { parseFlags, type CliParse } from '../cli-flags.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ConnectorOptions {
  listen: Endpoint;
  central: Endpoint;
  /** CA certificates (PEM) from the truststore: the only ones trusted for central. */
  caPems: string[];
  truststorePath: string;
  clientCertPem: string | undefined;
  clientKeyPem: string | undefined;
  hostHeader: string | undefined;
  name: string;
  maxConnections: number;
}

export type ConnectorParseResult = CliParse<ConnectorOptions>;

export const DEFAULT_MAX_CONNECTIONS = 256;

export const CONNECTOR_USAGE = `Usage: switchyard-agent connector --listen HOST:PORT --central HOST:PORT --truststore FILE [options]

Accepts plain TCP connections on --listen and forwards each one over TLS to central's secure
listener, for devices that cannot speak TLS themselves. Central is verified against the truststore
(and its host name against --central); there is never a plaintext fallback towards central.

Options:
  --listen HOST:PORT        where legacy devices connect (e.g. 127.0.0.1:8787)
  --central HOST:PORT       central's secure listener (e.g. central.example:9150)
  --truststore FILE         JKS or PKCS#12 truststore holding central's trust anchor
  --password P              truststore password (default changeit)
  --type JKS|PKCS12         truststore type (default: detected from the file)
  --client-cert FILE        PEM client certificate (chain) to present when central asks (mutual TLS)
  --client-key FILE         its PEM private key (unencrypted)
  --host-header H           rewrite the Host header of the first request to H
  --name N                  this connector's name in X-Switchyard-Via (default: the host name)
  --max-connections N       connections handled at once (default ${DEFAULT_MAX_CONNECTIONS}); more are refused
  -h, --help                show this help

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 cannot listen, 2 bad usage or unusable truststore/key.
`;

/** Parses and checks the connector's flags, reading the files they name; never throws. */
export function parseConnectorOptions(argv: string[]): ConnectorParseResult {
  const flags = parseFlags(argv, {
    listen: { type: 'string' },
    central: { type: 'string' },
    truststore: { type: 'string' },
    password: { type: 'string' },
    type: { type: 'string' },
    'client-cert': { type: 'string' },
    'client-key': { type: 'string' },
    'host-header': { type: 'string' },
    name: { type: 'string' },
    'max-connections': { type: 'string' },
  });
  if (flags.kind !== 'flags') return flags;
  try {
    return { kind: 'run', options: validate(flags.values as Record<string, string | undefined>) };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
}

function validate(v: Record<string, string | undefined>): ConnectorOptions {
  const missing = ['listen', 'central', 'truststore'].filter((f) => !v[f]);
  if (missing.length > 0) throw new Error(`missing ${missing.map((f) => `--${f}`).join(', ')}`);
  const listen = endpoint(v.listen!, '--listen');
  const central = endpoint(v.central!, '--central');
  const type = v.type?.toUpperCase();
  if (type !== undefined && type !== 'JKS' && type !== 'PKCS12')
    throw new Error(`--type must be JKS or PKCS12, not "${v.type}"`);
  const truststore = read(v.truststore!, '--truststore');
  let caPems: string[];
  try {
    caPems = readTruststore(
      truststore,
      v.password ?? 'changeit',
      type === undefined ? undefined : type === 'JKS' ? 'jks' : 'pkcs12',
    ).map(({ der }) => new X509Certificate(der).toString());
  } catch (error) {
    throw new Error(
      `--truststore ${v.truststore}: ${error instanceof KeystoreError ? error.message : String(error)}`,
    );
  }
  if ((v['client-cert'] === undefined) !== (v['client-key'] === undefined))
    throw new Error('--client-cert and --client-key go together');
  let clientCertPem: string | undefined;
  let clientKeyPem: string | undefined;
  if (v['client-cert']) {
    clientCertPem = read(v['client-cert'], '--client-cert').toString('utf8');
    clientKeyPem = read(v['client-key']!, '--client-key').toString('utf8');
    try {
      const cert = new X509Certificate(clientCertPem);
      if (!cert.checkPrivateKey(createPrivateKey(clientKeyPem)))
        throw new Error('the key does not match the certificate');
    } catch (error) {
      throw new Error(`--client-cert/--client-key: ${(error as Error).message}`);
    }
  }
  const hostHeader = v['host-header'];
  if (
    hostHeader !== undefined &&
    !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(hostHeader)
  )
    throw new Error(`--host-header must be a host name with an optional :port, not "${hostHeader}"`);
  const name = v.name ?? hostname();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error('--name must be 1-64 of A-Z a-z 0-9 . _ -');
  const maxConnections =
    v['max-connections'] === undefined ? DEFAULT_MAX_CONNECTIONS : Number(v['max-connections']);
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 10_000)
    throw new Error('--max-connections must be a whole number from 1 to 10000');
  return {
    listen,
    central,
    caPems,
    truststorePath: v.truststore!,
    clientCertPem,
    clientKeyPem,
    hostHeader,
    name,
    maxConnections,
  };
}

/** `host:port`, `[v6]:port`. */
export function endpoint(value: string, flag: string): Endpoint {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(value) ?? /^([^:[\]]+):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535))
    throw new Error(`${flag} must be HOST:PORT (port 1-65535), not "${value}"`);
  const host = m[1]!;
  if (!isIP(host) && !/^[A-Za-z0-9.-]{1,253}$/.test(host))
    throw new Error(`${flag}: "${host}" is not a host name`);
  return { host, port };
}

function read(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${flag} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
