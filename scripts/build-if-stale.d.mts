// Types of build-if-stale.mjs for the TypeScript that imports it (its test).
export const REPO_ROOT: string;
export function stampFile(root?: string): string;
export function sourceFingerprint(root?: string): { files: number; listHash: string; newestMs: number };
export function staleReason(root?: string): string | undefined;
export function buildIfStale(root?: string, log?: (line: string) => void): boolean;
