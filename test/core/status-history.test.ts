import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorStatus } from '../../src/core/connector-status.js';
import { StatusHistory } from '../../src/core/status-history.js';

const status = (name: string, received: number, written: number, pending: number): ConnectorStatus =>
  ({ tenant: 'default', name, received, written, discarded_total: 1, dead_lettered: 0, pending, oldest_pending_age_ms: 0 }) as ConnectorStatus;

describe('StatusHistory', () => {
  it('computes per-second rates between samples and keeps at most keepMs of them', () => {
    let now = 0;
    let list = [status('a', 0, 0, 0)];
    const h = new StatusHistory(() => list, { intervalMs: 1000, keepMs: 3000, now: () => now });
    h.sample();
    now = 1000;
    list = [status('a', 50, 20, 30)];
    h.sample();
    const [first, second] = h.samples('default', 'a');
    assert.equal(first?.in_per_s, 0);
    assert.deepEqual([second?.in_per_s, second?.out_per_s, second?.pending, second?.failed], [50, 20, 30, 1]);
    for (let i = 2; i <= 6; i++) {
      now = i * 1000;
      h.sample();
    }
    assert.deepEqual(h.samples('default', 'a').map((s) => s.t), [4000, 5000, 6000]);
    assert.deepEqual(h.samples('default', 'a', 4000).map((s) => s.t), [5000, 6000]);
  });

  it('a counter that went down gives rate 0, and a connector no longer listed is forgotten', () => {
    let now = 0;
    let list = [status('a', 100, 100, 0), status('b', 1, 1, 0)];
    const h = new StatusHistory(() => list, { intervalMs: 1000, keepMs: 10_000, now: () => now });
    h.sample();
    now = 1000;
    list = [status('a', 5, 5, 0)];
    h.sample();
    assert.equal(h.samples('default', 'a')[1]?.in_per_s, 0);
    assert.deepEqual(h.samples('default', 'b'), []);
  });
});
