/**
 * Makes the revision the rollout bench pushes: a copy of the built-in `default` profile whose truststore
 * holds central's trust anchor plus padding certificates, sized so the archive is about `targetBytes`.
 */
import { MAX_PADDING_DER_BYTES, paddingCertificates } from './padding-certificates.js';
import { type RevisionSummary, type RolloutApi } from './rollout-api.js';

export const BENCH_PROFILE = 'bench-rollout';

/** A profile's truststore takes 16 entries; one is the server anchor. */
const MAX_PADDING_CERTIFICATES = 15;
/** Each certificate is stored twice (JKS and PKCS#12), with some framing around it. */
const COPIES = 2;
const FRAMING_BYTES = 120;

export async function prepareBenchRevision(
  api: RolloutApi,
  targetBytes: number,
  log: (line: string) => void,
): Promise<RevisionSummary> {
  await api.copyProfile('default', BENCH_PROFILE);
  const bare = await api.prepare(BENCH_PROFILE);
  log(`revision: ${BENCH_PROFILE} r${bare.revision} without padding is ${bare.sizeBytes} bytes`);
  const missing = targetBytes - bare.sizeBytes;
  if (missing <= 0) return bare;
  const perCertificate = MAX_PADDING_DER_BYTES * COPIES;
  const count = Math.min(MAX_PADDING_CERTIFICATES, Math.ceil(missing / perCertificate));
  let derBytes = Math.floor(missing / (COPIES * count)) - FRAMING_BYTES;
  let revision = bare;
  // One correction: the first try shows what a DER byte really costs in this archive.
  for (let attempt = 0; attempt < 2; attempt++) {
    const pems = await paddingCertificates(count, derBytes);
    await api.setTruststore(BENCH_PROFILE, [
      { source: 'server-anchor' },
      ...pems.map((pem, i) => ({ source: 'uploaded' as const, alias: `bench-padding-${i}`, pem })),
    ]);
    revision = await api.prepare(BENCH_PROFILE);
    log(
      `revision: r${revision.revision} with ${count} × ~${derBytes} B certificates is ${revision.sizeBytes} bytes`,
    );
    const added = revision.sizeBytes - bare.sizeBytes;
    if (Math.abs(revision.sizeBytes - targetBytes) <= targetBytes * 0.03 || added <= 0) break;
    derBytes = Math.floor((derBytes * missing) / added);
  }
  return revision;
}
