/** While none was found, looked for again this often, whatever NOTIFY may have missed. */
export const PACKAGE_ROLLOUTS_RECHECK_MS = 5000;

/**
 * Whether an agent-package rollout may be under way, asked by each pass of the PackageDispatcher. While
 * none is, the pass reads nothing: its due query and the version reconciliation joined the node's online
 * agents at every tick as soon as any rollout entry existed, a finished profile rollout's included
 * (ADR 52 cut the same walk for rollouts that do not exist at all). "None" holds until a rollout changes
 * (`rollout.changed`, from any node through ClusterBus) or PACKAGE_ROLLOUTS_RECHECK_MS have passed.
 */
export class PackageRolloutsActivity {
  private changes = 0;
  /** When no unfinished package rollout was found, and `changes` when that look started. */
  private none: { changes: number; at: number } | undefined;

  constructor(
    private readonly anyUnfinished: () => Promise<boolean>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A rollout changed somewhere: the next question looks again. */
  changed(): void {
    this.changes++;
  }

  async mayBeActive(): Promise<boolean> {
    const none = this.none;
    if (none && none.changes === this.changes && this.now() - none.at < PACKAGE_ROLLOUTS_RECHECK_MS)
      return false;
    const look = { changes: this.changes, at: this.now() };
    if (await this.anyUnfinished()) {
      this.none = undefined;
      return true;
    }
    // A change that arrives while looking makes `changes` differ: the next question looks again.
    this.none = look;
    return false;
  }
}
