import { type KeyObject, X509Certificate } from 'node:crypto';
import { writeJksTruststore, writePkcs12Truststore } from '../../../../libs/keystore/index.js';
import {
  buildProfileArchive,
  type BuiltProfileArchive,
  truststoreMacSalt,
} from '../../../../libs/profile-archive/index.js';
import { type ProfileRevision, type RevisionCertificate } from './profile-revisions.repository.js';
import { type ResolvedCertificate } from './profile-truststore.resolver.js';
import { TRUSTSTORE_FILES } from './truststore-jvm-args.js';

/** Everything a revision's archive is made of, apart from the profile name and revision number. */
export interface RevisionContent {
  /** agent.conf as shipped: the truststore options hold the real password. */
  agentConf: string;
  certificates: ResolvedCertificate[];
  truststorePassword: string;
  minimumAgentVersion: string;
  requiredCapabilities: string[];
}

/**
 * Builds the archive of one revision. Nothing in it depends on the clock or on randomness: the JKS entry
 * dates are the newest notBefore among the certificates (whole seconds), the PKCS#12 MAC salt comes from
 * the certificates (ADR 0007), Ed25519 signatures are deterministic — so the same content gives the same
 * bytes and the same sha256.
 */
export function buildRevisionArchive(
  profile: string,
  revision: number,
  content: RevisionContent,
  signingKey: KeyObject,
): Promise<BuiltProfileArchive> {
  const certs = content.certificates.map(({ alias, der }) => ({ alias, der }));
  const newestNotBefore = Math.max(
    ...content.certificates.map((c) => new Date(new X509Certificate(c.der).validFrom).getTime()),
  );
  const timestamp = new Date(Math.floor(newestNotBefore / 1000) * 1000);
  return buildProfileArchive(
    {
      profile,
      revision,
      minimumAgentVersion: content.minimumAgentVersion,
      requiredCapabilities: content.requiredCapabilities,
      files: [
        { path: 'conf/agent.conf', bytes: Buffer.from(content.agentConf, 'utf8') },
        {
          path: TRUSTSTORE_FILES.JKS,
          bytes: writeJksTruststore(certs, content.truststorePassword, { timestamp }),
        },
        {
          path: TRUSTSTORE_FILES.PKCS12,
          bytes: writePkcs12Truststore(certs, content.truststorePassword, { salt: truststoreMacSalt(certs) }),
        },
      ],
    },
    signingKey,
  );
}

/** The truststore as `profile_revisions.truststore` stores it. */
export function revisionCertificates(content: RevisionContent): RevisionCertificate[] {
  return content.certificates.map((c) => ({
    alias: c.alias,
    fingerprintSha256: c.summary.fingerprintSha256,
    subject: c.summary.subject,
    pem: c.pem,
  }));
}

/**
 * Whether preparing `content` now would give `revision` again (same agent.conf, hence same password; same
 * certificates under the same aliases; same requirements): what "draft changed since last prepare" means.
 */
export function sameContent(content: RevisionContent, revision: ProfileRevision): boolean {
  const certificates = (list: Array<{ alias: string; fingerprintSha256: string }>) =>
    JSON.stringify(list.map((c) => [c.alias, c.fingerprintSha256]));
  const capabilities = (list: string[]) => JSON.stringify([...new Set(list)].sort());
  return (
    content.agentConf === revision.agentConf &&
    certificates(revisionCertificates(content)) === certificates(revision.truststore) &&
    content.minimumAgentVersion === revision.minimumAgentVersion &&
    capabilities(content.requiredCapabilities) === capabilities(revision.requiredCapabilities)
  );
}
