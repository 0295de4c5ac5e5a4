import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import cluster from 'node:cluster';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { AcmeRepository } from '../acme/acme.repository.js';
import { AgentCountsRepository } from '../agents/agent-counts.repository.js';
import { CertificatesService } from '../certificates/certificates.service.js';
import { ListenerManager } from '../listeners/listener-manager.js';
import { MigrationService } from '../migration/migration.service.js';
import { RolloutsService } from '../rollouts/rollouts.service.js';
import { RotationRepository } from '../rotation/rotation.repository.js';
import { eventCounters } from './event-counters.js';
import { registerFleetOperationsMetrics, STRANDED_MAX_AGE_MS } from './fleet-operations.metrics.js';
import { ScrapeCache } from './scrape-cache.js';
import { mergeWorkerMetrics, type MetricsJson } from './node-metrics.merge.js';
import { WorkerMetricsLink } from './worker-metrics.link.js';
import { WORKER_INDEX_VARIABLE } from '../workers/worker-messages.js';

/**
 * Prometheus metrics of this node. Fleet-wide figures (agents by status) come from the database at
 * scrape time, so every node reports the same truth; listener and process figures are this process's
 * own, and in cluster mode every worker's, gathered through the primary (ADR 33).
 */
@Injectable()
export class MetricsRegistry implements OnModuleDestroy {
  /** Read from the database (or settings) at scrape time: the same from any process, read once. */
  private readonly fleet = new Registry();
  /** This process's own figures: summed or labelled per worker in cluster mode. */
  private readonly own = new Registry();
  private readonly link: WorkerMetricsLink | undefined;
  /** The secure_only gate's stranded count, kept between scrapes (and shared by the workers of a node). */
  private readonly stranded: ScrapeCache<number>;

  constructor(
    agents: AgentCountsRepository,
    acme: AcmeRepository,
    rotations: RotationRepository,
    certificates: CertificatesService,
    listeners: ListenerManager,
    rollouts: RolloutsService,
    migration: MigrationService,
  ) {
    collectDefaultMetrics({ register: this.own, prefix: 'switchyard_central_' });
    this.stranded = new ScrapeCache(() => migration.strandedCount(), STRANDED_MAX_AGE_MS);
    registerFleetOperationsMetrics(this.fleet, {
      rollouts: () => rollouts.gauges(),
      migrationPhase: () => migration.phase(),
      strandedAgents: () => this.stranded.get(),
    });
    new Gauge({
      name: 'switchyard_agents',
      help: 'Registered agents by connection status and transport (fleet-wide)',
      labelNames: ['status', 'transport'],
      registers: [this.fleet],
      async collect() {
        const { cells } = await agents.counts();
        this.reset();
        for (const c of cells) this.set({ status: c.status, transport: c.transport ?? 'none' }, c.count);
      },
    });
    new Gauge({
      name: 'switchyard_server_certificate_expiry_seconds',
      help: 'Seconds until the active server certificate expires (negative once expired)',
      registers: [this.fleet],
      async collect() {
        const report = await certificates.activeSummary();
        this.set((Date.parse(report.notAfter) - Date.now()) / 1000);
      },
    });
    new Gauge({
      name: 'switchyard_acme_held_orders',
      help: 'ACME certificates obtained but held for approval because known agents would not trust them',
      registers: [this.fleet],
      async collect() {
        this.set(await acme.countHeld());
      },
    });
    new Gauge({
      name: 'switchyard_rotation_automatic_blocked',
      help: 'Automatic certificate rotations (ACME, new anchor) stopped by a halted rollout or a gate that cannot pass (ADR 32)',
      registers: [this.fleet],
      async collect() {
        this.set(await rotations.countAutomaticBlocked());
      },
    });
    new Gauge({
      name: 'switchyard_listener_connections',
      help: 'Open agent connections on this node, by listener',
      labelNames: ['listener', 'address', 'port'],
      registers: [this.own],
      collect() {
        this.reset();
        for (const l of listeners.bound()) {
          this.set({ listener: l.kind, address: l.address, port: String(l.port) }, l.connections);
        }
      },
    });
    new Counter({
      name: 'switchyard_agent_connections_refused_total',
      help: 'Agent connections this node refused early: 503 + Retry-After (busy, descriptors, database; ADR 26) or closed before TLS (handshakes)',
      labelNames: ['reason'],
      registers: [this.own],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(listeners.refusals())) this.inc({ reason }, n);
      },
    });
    new Gauge({
      name: 'switchyard_agent_sockets',
      help: 'Agent sockets open on this node (open), and how many it holds at most (budget: open files minus a reserve)',
      labelNames: ['kind'],
      registers: [this.own],
      collect() {
        const sockets = listeners.agentSockets();
        this.reset();
        this.set({ kind: 'open' }, sockets.open);
        if (sockets.budget !== undefined) this.set({ kind: 'budget' }, sockets.budget);
      },
    });
    if (cluster.isWorker)
      this.link = new WorkerMetricsLink(
        () => this.processMetrics(),
        () => {
          const stranded = this.stranded.peek();
          return stranded ? { stranded } : {};
        },
      );
  }

  readonly contentType = this.fleet.contentType;

  /**
   * The exposition `/metrics` answers. A single process: its metrics and the channel's event counters.
   * A cluster worker: the fleet figures once, and every worker's own figures, so whichever worker the
   * scrape reached, it answers for the whole node.
   */
  async scrape(): Promise<string> {
    if (!this.link) return Registry.merge([this.fleet, this.own, eventCounters]).metrics();
    const node = await this.link.node();
    // A count another worker read recently serves this scrape too: scrapes reach any worker.
    for (const w of node?.workers ?? [])
      if (w.kept?.stranded) this.stranded.offer(w.kept.stranded.value, w.kept.stranded.ageMs);
    const workers = node
      ? node.workers.map((w) => ({ worker: w.worker, metrics: w.metrics as MetricsJson }))
      : [{ worker: process.env[WORKER_INDEX_VARIABLE] ?? '?', metrics: await this.processMetrics() }];
    const missing = node ? node.missing : ['primary'];
    return Registry.merge([this.fleet, mergeWorkerMetrics(workers, missing)]).metrics();
  }

  onModuleDestroy(): void {
    this.link?.close();
  }

  private processMetrics(): Promise<MetricsJson> {
    return Registry.merge([this.own, eventCounters]).getMetricsAsJSON();
  }
}
