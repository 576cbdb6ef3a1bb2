// opentsdb: Sluice draining into VictoriaMetrics' OpenTSDB HTTP listener (the harness's), next
// to a bare fetch client putting the same points as JSON arrays. The bench payload
// (`{"seq":…,"t":…,"pad":"xx…"}`) gives the value (`seq`) and, for want of a metric field, the
// metric name (`pad`); the run's id is a tag, and points are counted through the export API.
import { startService } from '../../test/harness/services.js';
import type { DrainTarget } from './drain-target.js';

export const drainTarget: DrainTarget = {
  name: 'opentsdb',
  unit: 'points',
  goal: 50_000,
  async start() {
    const svc = await startService('victoriametrics');
    const vm = svc.env.SLUICE_TEST_VM_URL as string;
    const server = svc.env.SLUICE_TEST_VM_OPENTSDB_URL as string;
    const count = async (id: string): Promise<number> => {
      await fetch(`${vm}/internal/force_flush`);
      const res = await fetch(`${vm}/api/v1/export?${new URLSearchParams({ 'match[]': `{run=${JSON.stringify(id)}}` })}`);
      if (!res.ok) throw new Error(`victoriametrics export: HTTP ${res.status}`);
      let n = 0;
      for (const line of (await res.text()).split('\n')) if (line.trim() !== '') n += (JSON.parse(line) as { values: unknown[] }).values.length;
      return n;
    };
    return {
      target: {
        name: 'opentsdb',
        connector: (id) => ({ type: 'opentsdb', config: { server, metric_field: 'pad', value_field: 'seq', tags: { run: id } } }),
        count: async (id) => {
          // VictoriaMetrics makes points searchable asynchronously: wait until the count settles
          let last = -1;
          for (;;) {
            const n = await count(id);
            if (n === last) return n;
            last = n;
            await new Promise((r) => setTimeout(r, 1000));
          }
        },
      },
      async bareRate(id, total, batchSize) {
        const started = Date.now();
        for (let at = 0; at < total; at += batchSize) {
          const points = Array.from({ length: Math.min(batchSize, total - at) }, (_, i) => ({ metric: 'bare', timestamp: started + at + i, value: at + i, tags: { run: id } }));
          const res = await fetch(`${server}/api/put?details`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(points) });
          await res.text();
          if (!res.ok) throw new Error(`bare put: HTTP ${res.status}`);
        }
        return total / ((Date.now() - started) / 1000);
      },
      stop: () => svc.stop(),
    };
  },
};
