import { Foundation1763884800000 } from './1763884800000-Foundation.js';

/** Every migration, in order. The schema changes only through these (synchronize is never on). */
export const MIGRATIONS = [Foundation1763884800000];
