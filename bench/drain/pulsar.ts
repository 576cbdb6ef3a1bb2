// Pulsar in the drain benchmark: the harness's standalone broker (token auth, WebSocket API). The
// connector produces every record to `bench-<id>` over the WebSocket producer API and waits for
// every ack; the bare client is one `ws` producer socket on its own topic sending each batch of the
// same size whole (every frame of the batch in flight at once) and waiting for all its acks before
// the next. Counted with the topic's stored entries (the WebSocket producer does not batch, so one
// entry is one message).
import WebSocket from 'ws';
import { startService } from '../../test/harness/services.js';
import { makePayload } from '../payload.js';
import type { DrainTarget } from './drain-target.js';

export const drainTarget: DrainTarget = {
  name: 'pulsar',
  unit: 'acked messages',
  goal: 10_000,
  async start() {
    const svc = await startService('pulsar');
    const web = svc.env.SLUICE_TEST_PULSAR_WEB_URL as string;
    const wsBase = svc.env.SLUICE_TEST_PULSAR_WS_URL as string;
    const token = svc.env.SLUICE_TEST_PULSAR_TOKEN as string;
    const admin = { authorization: `Bearer ${svc.env.SLUICE_TEST_PULSAR_ADMIN_TOKEN as string}` };
    const count = async (topic: string): Promise<number> => {
      const res = await fetch(`${web}/admin/v2/persistent/public/default/${topic}/internalStats`, { headers: admin });
      if (res.status === 404) return 0;
      if (!res.ok) throw new Error(`pulsar internalStats ${topic}: HTTP ${res.status}`);
      return ((await res.json()) as { numberOfEntries: number }).numberOfEntries;
    };
    return {
      target: {
        name: 'pulsar',
        connector: (id) => ({ type: 'pulsar', config: { server: web, topic: `bench-${id}`, token } }),
        count: (id) => count(`bench-${id}`),
      },
      async bareRate(id, total, batchSize) {
        const topic = `bench-${id}`;
        // as the sink does: no permessage-deflate (zlib per frame costs more than it saves on 100-byte messages)
        const ws = new WebSocket(`${wsBase}/ws/v2/producer/persistent/public/default/${topic}`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
        await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
        let waiting = 0;
        let batchDone: (() => void) | undefined;
        ws.on('message', (d: WebSocket.RawData) => {
          const ack = JSON.parse(d.toString()) as { result: string; errorMsg?: string };
          if (ack.result !== 'ok') throw new Error(`pulsar bare client: ${ack.result} ${ack.errorMsg ?? ''}`);
          if (--waiting === 0) batchDone?.();
        });
        const t0 = performance.now();
        for (let sent = 0; sent < total; sent += batchSize) {
          const n = Math.min(batchSize, total - sent);
          const done = new Promise<void>((ok) => { batchDone = ok; });
          waiting = n;
          for (let i = 0; i < n; i++) {
            ws.send(JSON.stringify({ payload: makePayload(sent + i, Date.now()).toString('base64'), properties: { sluice_id: `${id}-${sent + i}` }, context: String(sent + i) }));
          }
          await done;
        }
        const perSec = total / ((performance.now() - t0) / 1000);
        ws.close();
        if ((await count(topic)) !== total) throw new Error('pulsar bare client: not every message is stored');
        return perSec;
      },
      stop: () => svc.stop(),
    };
  },
};
