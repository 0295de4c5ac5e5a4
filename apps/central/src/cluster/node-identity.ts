import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This central process in the cluster: a fresh id per start, so sessions of a dead process are detectable. */
export class NodeIdentity {
  readonly id: string;
  constructor(readonly name: string = `${hostname()}-${process.pid}`) {
    this.id = `${name}-${randomBytes(3).toString('hex')}`;
  }
}
