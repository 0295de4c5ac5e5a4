import { generateP256KeyPair, privateKeyToPem } from './key-pem.js';
import { EC_P256, loadX509 } from '../x509.loader.js';

export interface ClientCsr {
  /** PKCS#10 request, sent to central; it carries only the public key. */
  csrPem: string;
  /** PKCS#8 private key; stays on the agent (0600) and never travels. */
  keyPem: string;
}

/** The agent side of enrollment: a fresh ECDSA P-256 key and a CSR with CN = agent id, self-signed by that key. */
export async function createClientCsr(agentId: string): Promise<ClientCsr> {
  const x509 = await loadX509();
  const keys = await generateP256KeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [agentId] }],
    signingAlgorithm: EC_P256,
    keys,
  });
  return { csrPem: csr.toString('pem') + '\n', keyPem: await privateKeyToPem(keys.privateKey) };
}
