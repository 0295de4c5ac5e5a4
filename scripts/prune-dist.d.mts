// Types of prune-dist.mjs for the TypeScript that imports it (its test).
export function pruneDist(root?: string): string[];
