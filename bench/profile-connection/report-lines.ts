/** The lines profile-connection prints: a phase per target, the ratios, the profiles per connection. */
import { type Allocations } from './allocation-profile.js';
import { type SelfTime } from './cpu-profile.js';
import { type GcPhase } from './gc-phase.js';

export interface Phase {
  /** Wall time of the phase's action (central pings its sessions a heartbeat interval after welcome). */
  seconds: number;
  /** Transactions committed in central's database (the harness's own reads subtracted). */
  commits: number;
  cpuMs: number;
  /** The same CPU by thread: main (user, system) and all others (GC helpers, libuv), per connection. */
  threads: { main: number; user: number; system: number; others: number };
  pgMs: number;
  rssKb: number;
  failed: number;
  /** Allocated (garbage included) and collected during the phase, per connection (counts: in all). */
  gc: GcPhase;
}

type Phases = { connect: Phase; close: Phase };

export function phaseRow(name: string, r: Phases): string {
  const gc = r.connect.gc;
  return (
    `  ${name.padEnd(8)} connect (${r.connect.seconds.toFixed(1)} s) ${r.connect.cpuMs.toFixed(2)} ms CPU ` +
    `(main ${r.connect.threads.user.toFixed(2)} user + ${r.connect.threads.system.toFixed(2)} sys, other threads ${r.connect.threads.others.toFixed(2)}), ${r.connect.rssKb.toFixed(1)} KB RSS, ` +
    `PG ${r.connect.pgMs.toFixed(3)} ms ${r.connect.commits.toFixed(2)} commits, failed ${r.connect.failed}, ` +
    `allocated ${(gc.allocatedBytes / 1024).toFixed(1)} KB, GC ${gc.gcMs.toFixed(3)} ms (${gc.scavenges} young, ${gc.markCompacts} full)` +
    ` | close ${r.close.cpuMs.toFixed(2)} ms CPU, PG ${r.close.pgMs.toFixed(3)} ms ${r.close.commits.toFixed(2)} commits, ` +
    `allocated ${(r.close.gc.allocatedBytes / 1024).toFixed(1)} KB`
  );
}

export function ratioRow(bare: Phases, central: Phases): string {
  const b = bare.connect;
  const c = central.connect;
  return (
    `  ratio    CPU ${(c.cpuMs / b.cpuMs).toFixed(2)}×, RSS ${(c.rssKb / b.rssKb).toFixed(2)}×, ` +
    `allocated ${(c.gc.allocatedBytes / b.gc.allocatedBytes).toFixed(2)}×, GC ${(c.gc.gcMs / b.gc.gcMs).toFixed(2)}×, ` +
    `PG per connection (connect + close) ${(c.pgMs + central.close.pgMs).toFixed(3)} ms`
  );
}

export function cpuProfileLines(profile: SelfTime[], connections: number): string[] {
  const total = profile.reduce((sum, p) => sum + p.ms, 0);
  return [
    `central's busy time while connecting (profiled phase): ${(total / connections).toFixed(2)} ms per connection; top self time:`,
    ...profile
      .slice(0, 30)
      .map(
        (p) =>
          `  ${(p.share * 100).toFixed(1).padStart(5)} %  ${(p.ms / connections).toFixed(3)} ms/conn  ${p.name}`,
      ),
  ];
}

export function allocationLines(target: string, a: Allocations, connections: number): string[] {
  const kb = (bytes: number) => `${(bytes / 1024 / connections).toFixed(2).padStart(6)} KB/conn`;
  return [
    `${target}: ${kb(a.totalBytes)} allocated while connecting (sampled, garbage included); by allocating function:`,
    ...a.bySelf.slice(0, 20).map((e) => `  ${kb(e.bytes)}  ${e.name}`),
    `${target}: by the innermost function of ours on the stack:`,
    ...a.byOurs.slice(0, 25).map((e) => `  ${kb(e.bytes)}  ${e.name}`),
  ];
}
