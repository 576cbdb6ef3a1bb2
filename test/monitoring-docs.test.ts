// Keeps docs/{en,zh}/monitoring.md complete: every Sluice metric the registry exposes, every
// field of a real connector status, every discard reason and every connector state (each imported from its one list) is named
// (as a code span) on both pages. A failure here means: document the new name on both pages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONNECTOR_STATES, type ConnectorStatus } from '../src/core/connector-status.js';
import { DISCARD_REASONS } from '../src/core/discard-reasons.js';
import { type MetricsSource, RuntimeMetrics } from '../src/core/metrics.js';
import { DOC_LANGS } from '../src/metadata/docs-tables.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pages = DOC_LANGS.map((lang) => ({ path: `docs/${lang}/monitoring.md`, text: readFileSync(join(root, 'docs', lang, 'monitoring.md'), 'utf8') }));

/** Names that no page mentions as `name`, each with the page that lacks it. */
function missingFromPages(names: readonly string[]): string[] {
  return pages.flatMap((p) => names.filter((n) => !p.text.includes(`\`${n}\``)).map((n) => `${p.path}: \`${n}\``));
}

const fakeSource: MetricsSource = {
  tenant: 'default',
  name: 'probe',
  type: 'file',
  received: 3,
  written: 1,
  discarded: { permanent_error: 1 },
  dead_lettered: 1,
  filtered: 0,
  retries: 2,
  state: 'running',
  max_journal_bytes: 1_073_741_824,
  pending: 0,
  journal_bytes: 0,
  oldest_pending_age_ms: 0,
  up: true,
  journal_full: false,
};

describe('docs/*/monitoring.md', () => {
  it('names every metric the runtime registers (the sluice_process_ defaults aside)', async () => {
    const metrics = new RuntimeMetrics(() => [fakeSource]);
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => !n.startsWith('sluice_process_'));
    assert.ok(names.includes('sluice_received_total') && names.includes('sluice_batch_duration_seconds'), `unexpected registry: ${names.join(', ')}`);
    assert.deepEqual(missingFromPages(names), []);
  });

  describe('with a running server', () => {
    let server: TestServer;
    let status: ConnectorStatus;

    before(async () => {
      server = await startTestServer();
      const created = await server.request('POST', '/api/v1/connectors', { name: 'monitored', type: 'file', topic_filter: 'sensors/#', config: { local_file_path: join(server.dir, 'out.jsonl') } });
      assert.equal(created.status, 201, created.text);
      const r = await server.request<ConnectorStatus>('GET', '/api/v1/connectors/monitored/status');
      assert.equal(r.status, 200, r.text);
      status = r.body;
    });

    after(() => server?.cleanup());

    it('names every field of a connector status', () => {
      const keys = Object.keys(status);
      assert.ok(keys.includes('accounting_ok') && keys.includes('oldest_pending_age_ms'), `unexpected status: ${JSON.stringify(status)}`);
      assert.deepEqual(missingFromPages(keys), []);
    });

    it('names every field of the per-connector metrics answer', async () => {
      const r = await server.request<Record<string, unknown>>('GET', '/api/v1/connectors/monitored/metrics');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(missingFromPages(Object.keys(r.body)), []);
    });
  });

  it('names every connector state and every discard reason', () => {
    assert.deepEqual(missingFromPages([...CONNECTOR_STATES, ...DISCARD_REASONS]), []);
  });
});
