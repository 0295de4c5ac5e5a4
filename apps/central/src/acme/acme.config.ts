import { readFileSync } from 'node:fs';
import { isCertificatePem } from '../../../../libs/pki/certificate-pem.js';
import { ConfigError } from '../config/config-error.js';
import { readEnvironment } from '../config/environment.js';

/** ACME settings from the environment, checked once when the module starts. */
export interface AcmeConfig {
  /** Extra trust for the ACME directory's HTTPS only (a test CA such as pebble's), from SWITCHYARD_ACME_CA_FILE. */
  directoryCaPem: string | undefined;
  /** How often each node checks whether the active ACME certificate is due for renewal. */
  renewCheckEveryMs: number;
  /** An order that has not finished by then is given up (nothing is installed). */
  orderTimeoutMs: number;
}

export const ACME_CONFIG = Symbol('ACME_CONFIG');

/** This domain's part of the environment (config/environment.ts validates every variable at once). */
export function loadAcmeConfig(env: NodeJS.ProcessEnv = process.env): AcmeConfig {
  const e = readEnvironment(env);
  const issues: Array<{ variable: string; message: string }> = [];
  const config: AcmeConfig = {
    directoryCaPem: readCaFile(e.SWITCHYARD_ACME_CA_FILE, issues),
    renewCheckEveryMs: e.SWITCHYARD_ACME_RENEW_CHECK_MS,
    orderTimeoutMs: e.SWITCHYARD_ACME_ORDER_TIMEOUT_MS,
  };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

function readCaFile(
  path: string | undefined,
  issues: Array<{ variable: string; message: string }>,
): string | undefined {
  if (!path) return undefined;
  const variable = 'SWITCHYARD_ACME_CA_FILE';
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    issues.push({ variable, message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code}` });
    return undefined;
  }
  if (!isCertificatePem(pem)) {
    issues.push({ variable, message: `${path} does not hold a PEM certificate` });
    return undefined;
  }
  return pem;
}
