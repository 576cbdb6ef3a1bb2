// Fleet mode's pure parts: the shared subscription of a connector, the aggregated status, and the
// settings that turn fleet mode on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectorStatus } from '../../src/core/connector-status.js';
import { fleetStatusOf, reportOf } from '../../src/core/fleet-status.js';
import { fleetSubscription, shareGroupOf, sharedFilter } from '../../src/core/fleet-subscription.js';
import type { ConnectorReport } from '../../src/metadata/store.js';
import { settingsFromEnv } from '../../src/settings.js';

test('a connector subscribes through $share/<group>/<filter>, the group from the template', () => {
  assert.equal(shareGroupOf('sluice.{tenant}.{name}', 'acme', 'to-kafka'), 'sluice.acme.to-kafka');
  assert.equal(sharedFilter('g', 'sensors/+/temp'), '$share/g/sensors/+/temp');
  assert.equal(sharedFilter('g', '$share/mine/sensors/#'), '$share/mine/sensors/#', 'a filter the user shared already is kept');
  assert.equal(fleetSubscription('{name}')('default', 'a', '#'), '$share/a/#');
});

const status = (over: Partial<ConnectorStatus>): ConnectorStatus => ({
  tenant: 'default', name: 'c', type: 'file', state: 'running', desired_state: 'running', source_connected: true, journal_full: false,
  received: 0, written: 0, discarded: {}, discarded_total: 0, dead_lettered: 0, filtered: 0, pending: 0, accounting_ok: true, retries: 0,
  dlq_replayed: 0, committed_offset: 0, last_success_at: null, oldest_pending_age_ms: 0, journal_bytes: 0, max_journal_bytes: 0,
  last_error: null, last_error_at: null, waiting_since: null, next_attempt_at: null, ...over,
});

const report = (id: string, name: string, alive: boolean, s: Partial<ConnectorStatus>): ConnectorReport => ({
  instance: { id, name, started_at: 1, heartbeat_at: 2, heartbeat_age_ms: alive ? 100 : 60_000, alive },
  status: JSON.stringify(reportOf(status(s))),
  reported_at: 2,
});

test('the fleet status: every instance once, this one live, the gone ones counted in the totals', () => {
  const reports = [
    report('i-b', 'node-b', true, { received: 10, written: 7, pending: 3 }),
    report('i-a', 'node-a', true, { received: 99, written: 99 }), // this process's own stale report
    report('i-c', 'node-c', false, { received: 5, written: 1, pending: 4, last_error: 'boom' }),
  ];
  const f = fleetStatusOf('i-a', 'node-a', reports, status({ received: 20, written: 18, dead_lettered: 1, discarded_total: 1 }), 1000);
  assert.deepEqual(f.instances.map((i) => [i.instance_name, i.self, i.alive, i.received]), [['node-a', true, true, 20], ['node-b', false, true, 10], ['node-c', false, false, 5]]);
  assert.equal(f.alive, 2);
  assert.deepEqual(f.total, { received: 35, written: 26, discarded_total: 1, dead_lettered: 1, filtered: 0, pending: 7 });
  assert.equal(f.instances[2]?.last_error, 'boom');
  assert.equal(f.instance_id, 'i-a');
});

test('a report that is not a status is left out, not counted as zero', () => {
  const bad: ConnectorReport = { ...report('i-x', 'x', true, {}), status: '{"nope":1}' };
  const f = fleetStatusOf('i-a', 'node-a', [bad], undefined);
  assert.equal(f.instances.length, 0);
  assert.equal(f.alive, 0);
});

test('fleet settings: defaults, and errors that name the variable and the rule', () => {
  const s = settingsFromEnv({ SLUICE_STORE_URL: 'postgres://u:p@h/db' });
  assert.equal(s.storeUrl, 'postgres://u:p@h/db');
  assert.equal(s.shareGroup, 'sluice.{tenant}.{name}');
  assert.equal(s.heartbeatMs, 5000);
  assert.equal(s.instanceTimeoutMs, 30_000);
  assert.equal(settingsFromEnv({}).storeUrl, undefined);
  assert.throws(() => settingsFromEnv({ SLUICE_STORE_URL: 'mysql://h/db' }), /SLUICE_STORE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
  assert.throws(() => settingsFromEnv({ SLUICE_SHARE_GROUP: 'a/b' }), /SLUICE_SHARE_GROUP: a share name may not contain/);
  assert.throws(() => settingsFromEnv({ SLUICE_HEARTBEAT_MS: '10' }), /SLUICE_HEARTBEAT_MS: expected at least 100/);
  assert.throws(() => settingsFromEnv({ SLUICE_INSTANCE_TIMEOUT_MS: 'x' }), /SLUICE_INSTANCE_TIMEOUT_MS: expected a whole number/);
});

test('the CLI status shows the fleet totals and one line per process, gone ones marked', async () => {
  const { renderStatus } = await import('../../src/admin/cli/status-commands.js');
  const reports = [report('i-b', 'node-b', false, { received: 10, written: 6, pending: 4 })];
  const fleet = fleetStatusOf('i-a', 'node-a', reports, status({ received: 20, written: 20 }));
  const text = renderStatus({ ...status({ received: 20, written: 20 }), fleet });
  assert.match(text, /fleet\s+2 processes, 1 alive; in total received 30 = written 26 \+ discarded 0 \+ dead_lettered 0 \+ pending 4/);
  assert.match(text, /node-a \(this one\)\s+running: received 20, written 20, pending 0/);
  assert.match(text, /node-b\s+GONE \(no heartbeat for .+; its pending records wait in its journal\): received 10, written 6, pending 4/);
});
