// The OpenTSDB target: the harness's VictoriaMetrics with its OpenTSDB HTTP listener; the record
// id is a tag (`tags: { sluice_id: '${id}' }`), read back through VictoriaMetrics' export API
// (one series per id, one value per write, so a point written twice shows twice).
import { startService } from '../../harness/services.js';
import type { ConformanceFixture } from './fixture.js';

export const METRIC = 'conformance';

export const fixture: ConformanceFixture = {
  async start() {
    const svc = await startService('victoriametrics');
    const vm = svc.env.SLUICE_TEST_VM_URL as string;
    const server = svc.env.SLUICE_TEST_VM_OPENTSDB_URL as string;
    const config = { server, tags: { sluice_id: '${id}' }, timeout_secs: 5 };
    return {
      config,
      wrongCredentials: {
        config: { ...config, server: `${server}/no-such-prefix` },
        means: 'OpenTSDB\'s /api/put takes no credentials (neither does RobustMQ\'s config); the equivalent: a server URL that names no /api/put (VictoriaMetrics: 400 unexpected path)',
      },
      payload: (i) => Buffer.from(JSON.stringify({ metric: METRIC, value: i })),
      poison: { payload: Buffer.from(JSON.stringify({ metric: METRIC, value: 'not a number' })), means: 'a value that is not a number (refused before sending: VictoriaMetrics would drop it and answer 204)' },
      readIds: () => exportIds(vm, METRIC),
      async kill() {
        await persist(vm);
        await svc.kill();
      },
      start: () => svc.start(),
      close: () => svc.stop(),
    };
  },
};

/**
 * VictoriaMetrics answers 204 before the points are on disk (a crash loses the last seconds): a
 * snapshot writes everything out first, so the kill tests the sink, not the server's durability.
 */
async function persist(vm: string): Promise<void> {
  const res = await fetch(`${vm}/snapshot/create`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`victoriametrics snapshot: HTTP ${res.status}`);
  await fetch(`${vm}/snapshot/delete_all`, { signal: AbortSignal.timeout(30_000) });
}

/** The sluice_id tag of every stored value of `metric`, repeats kept (after a forced flush). */
export async function exportIds(vm: string, metric: string): Promise<string[]> {
  const flush = await fetch(`${vm}/internal/force_flush`, { signal: AbortSignal.timeout(10_000) });
  if (!flush.ok) throw new Error(`victoriametrics force_flush: HTTP ${flush.status}`);
  const res = await fetch(`${vm}/api/v1/export?${new URLSearchParams({ 'match[]': `{__name__=${JSON.stringify(metric)}}` })}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`victoriametrics export: HTTP ${res.status}: ${await res.text()}`);
  const ids: string[] = [];
  for (const line of (await res.text()).split('\n')) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as { metric: Record<string, string>; values: number[] };
    const id = s.metric.sluice_id;
    if (id !== undefined) for (let i = 0; i < s.values.length; i++) ids.push(id);
  }
  return ids;
}
