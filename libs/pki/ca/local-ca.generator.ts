import { generateP256KeyPair, privateKeyToPem, randomSerial } from './key-pem.js';
import { EC_P256, loadX509 } from '../x509.loader.js';

/** A CA as stored by central: its certificate and its PKCS#8 private key. */
export interface LocalCaIdentity {
  certificatePem: string;
  privateKeyPem: string;
}

export interface LocalCaOptions {
  /** Shown to operators in truststores; make it tell installations apart. */
  commonName: string;
  validityDays: number;
  now?: Date;
}

/**
 * Generates the local CA: ECDSA P-256, CA:true with pathlen 0 (it signs end-entity certificates only),
 * key usages keyCertSign and cRLSign.
 */
export async function generateLocalCa(options: LocalCaOptions): Promise<LocalCaIdentity> {
  const now = options.now ?? new Date();
  const x509 = await loadX509();
  const keys = await generateP256KeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [options.commonName] }, { O: ['Switchyard'] }],
    notBefore: new Date(now.getTime() - 5 * 60_000), // agents with a slightly slow clock still accept it
    notAfter: new Date(now.getTime() + options.validityDays * 86_400_000),
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: await privateKeyToPem(keys.privateKey),
  };
}
