import { type fleetOverviewSchema } from '../../../../libs/api/overview.js';
import { type Served } from '../../../../libs/api/wire.js';

/**
 * `GET /api/overview`: the fleet at a glance, composed from the owning domains in one answer. Its shape
 * is the wire type's (libs/api/overview.ts), with timestamps as the Dates the domains read.
 */
export type FleetOverview = Served<typeof fleetOverviewSchema>;
