import { EventEmitter } from 'node:events';
import { poolOf } from '../database/database-pool.js';
import { PoolPressure } from './pool-pressure.js';

/** The counters of a `pg` pool, set by hand; `acquire` as the pool emits it when it hands a connection out. */
class Counters extends EventEmitter {
  totalCount = 3;
  idleCount = 0;
  waitingCount = 0;
  options = { max: 3 };
}

describe('PoolPressure', () => {
  let now = 0;
  const clock = () => now;

  it('is quiet while a connection is idle, being opened, or nothing waits', () => {
    const pool = new Counters();
    const pressure = new PoolPressure(pool, 5, 1000, clock);
    now = 10_000;
    expect(pressure.exhausted()).toBeUndefined(); // all busy, nothing waiting
    pool.waitingCount = 1;
    pool.idleCount = 1;
    expect(pressure.exhausted()).toBeUndefined();
    pool.idleCount = 0;
    pool.totalCount = 2; // a third connection is being opened for the waiter
    expect(pressure.exhausted()).toBeUndefined();
  });

  it('says so when statements wait and no connection was handed out for the stall time', () => {
    now = 0;
    const pool = new Counters();
    const pressure = new PoolPressure(pool, 5, 1000, clock);
    pool.waitingCount = 2;
    now = 900;
    expect(pressure.exhausted()).toBeUndefined(); // busy, maybe only for a moment
    now = 1600;
    expect(pressure.exhausted()).toBe(
      '3 of 3 pool connections busy, 2 statement(s) waiting, none handed out for 1.6 s',
    );
    pool.emit('acquire'); // the pool moves again
    expect(pressure.exhausted()).toBeUndefined();
  });

  it('says so at once when more wait than the bound, even while the pool moves', () => {
    now = 0;
    const pool = new Counters();
    const pressure = new PoolPressure(pool, 5, 1000, clock);
    pool.waitingCount = 6;
    pool.emit('acquire');
    expect(pressure.exhausted()).toMatch(/^3 of 3 pool connections busy, 6 statement\(s\) waiting/);
    pool.waitingCount = 5;
    expect(pressure.exhausted()).toBeUndefined();
  });

  it('finds the pool of a DataSource on the pg driver, and nothing elsewhere', () => {
    const pool = new Counters();
    expect(poolOf({ driver: { master: pool } })).toBe(pool);
    expect(poolOf({ driver: {} })).toBeUndefined();
    expect(poolOf({ driver: { master: { query: () => undefined } } })).toBeUndefined();
  });
});
