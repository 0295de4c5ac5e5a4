import { Inject, Injectable } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import type acme from 'acme-client';
import { CertificatesService, type ServerIdentity } from '../certificates/certificates.service.js';
import { type StrandedAgent } from '../certificates/stranded-agents.js';
import { DomainError } from '../common/domain-error.js';
import { HeldForApprovalError } from './acme-hold.js';
import { AcmeAccounts } from './acme-accounts.js';
import { loadAcmeClient } from './acme-client.loader.js';
import { AcmeClock } from './acme-clock.js';
import { ACME_CONFIG, type AcmeConfig } from './acme.config.js';
import { withDirectoryTrust } from './acme-directory-trust.js';
import { checkAcmeDirectory } from './acme-directory.check.js';
import { ChallengeFailedError } from './acme-failure.js';
import { AcmeRepository, type AcmeOrderRow } from './acme.repository.js';
import { checkIssuedChain } from './issued-chain.check.js';

/** Where an order is, for progress reports and for the failure message. */
export interface OrderProgress {
  step: string;
  /** Throws once the order was given up (timeout), so nothing is installed after that. */
  checkpoint(step: string): Promise<void>;
}

/**
 * One ACME order from start to an installed certificate: account, order, http-01 challenges answered
 * from the database (any node may be asked), a fresh P-256 key and CSR, finalize, download, check,
 * install. The certificate is installed last, so any failure before leaves the active one in place.
 */
@Injectable()
export class AcmeOrderRunner {
  constructor(
    private readonly repo: AcmeRepository,
    private readonly accounts: AcmeAccounts,
    private readonly certificates: CertificatesService,
    private readonly clock: AcmeClock,
    @Inject(ACME_CONFIG) private readonly config: AcmeConfig,
  ) {}

  async run(order: AcmeOrderRow, progress: OrderProgress): Promise<ServerIdentity> {
    const caPem = order.directoryCaPem ?? this.config.directoryCaPem;
    try {
      await progress.checkpoint('reading the ACME directory');
      await checkAcmeDirectory(order.directoryUrl, caPem);
      const issued = await withDirectoryTrust(caPem, async () => {
        await progress.checkpoint('registering the ACME account');
        const client = await this.accounts.client(order.directoryUrl, order.contact);
        await progress.checkpoint('creating the order');
        const acmeOrder = await client.createOrder({ identifiers: [{ type: 'dns', value: order.fqdn }] });
        for (const authz of await client.getAuthorizations(acmeOrder)) {
          if (authz.status === 'valid') continue; // the CA reused a recent validation
          await progress.checkpoint('waiting for the CA to validate the http-01 challenge');
          await this.answerHttp01(client, authz, order);
        }
        await progress.checkpoint('finalizing the order');
        const keyPem = newServerKey();
        const { crypto: acmeCrypto } = await loadAcmeClient();
        const [, csr] = await acmeCrypto.createCsr(
          { ...(order.fqdn.length <= 64 ? { commonName: order.fqdn } : {}), altNames: [order.fqdn] },
          keyPem,
        );
        const finalized = await client.finalizeOrder(acmeOrder, csr);
        await progress.checkpoint('downloading the certificate');
        const chainPem = await client.getCertificate(finalized);
        return { chainPem, keyPem };
      });
      await progress.checkpoint('checking the certificate');
      const chainPem = checkIssuedChain(issued.chainPem, issued.keyPem, order.fqdn, this.clock.now());
      await progress.checkpoint('installing the certificate');
      try {
        return await this.certificates.install({ source: 'acme', chainPem, keyPem: issued.keyPem });
      } catch (error) {
        // Guarded like every change: a chain that would strand agents waits for approval (ADR 24).
        if (error instanceof DomainError && error.category === 'would_strand_agents')
          throw new HeldForApprovalError(
            error.message,
            chainPem,
            issued.keyPem,
            (error.details.agents as StrandedAgent[] | undefined) ?? [],
          );
        throw error;
      }
    } finally {
      await this.repo.deleteChallenges(order.id).catch(() => undefined);
    }
  }

  private async answerHttp01(client: acme.Client, authz: acme.Authorization, order: AcmeOrderRow) {
    const challenge = authz.challenges.find((c) => c.type === 'http-01');
    if (!challenge) throw new Error(`the CA offers no http-01 challenge for ${order.fqdn}`);
    await this.repo.putChallenge(
      challenge.token,
      await client.getChallengeKeyAuthorization(challenge),
      order.id,
    );
    await client.completeChallenge(challenge);
    try {
      await client.waitForValidStatus(challenge);
    } catch (error) {
      throw new ChallengeFailedError(order.fqdn, challenge.token, await problemOf(client, authz, error));
    }
  }
}

/** The CA's own problem document for a failed challenge, which says what it saw (refused, 404, DNS). */
async function problemOf(
  client: acme.Client,
  authz: acme.Authorization,
  error: unknown,
): Promise<{ type?: string; detail?: string }> {
  try {
    const [current] = await client.getAuthorizations({ authorizations: [authz.url] } as acme.Order);
    const failed = current?.challenges.find((c) => c.type === 'http-01') as
      { error?: { type?: string; detail?: string } } | undefined;
    if (failed?.error) return failed.error;
  } catch {
    // fall back to what acme-client reported
  }
  return { detail: error instanceof Error ? error.message : String(error) };
}

function newServerKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
