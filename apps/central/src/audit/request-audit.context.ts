import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whether the request being handled already left an audit record of its own. A service that records
 * what it did in its own words (a login, an ACME order, a migration step) makes the interceptor's
 * generic route record redundant: one action, one line.
 */
export interface RequestAudit {
  recorded: boolean;
}

export const requestAudit = new AsyncLocalStorage<RequestAudit>();
