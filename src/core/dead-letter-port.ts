// Dead-letter operations of one connector: list, show, replay through its running sink, purge.
import type { DeadLetterPort } from './runtime-port.js';
import { SluiceError } from '../errors.js';
import type { ConnectorRuntime } from './connector-runtime.js';
import { type DeadLetterStore, toDeadLetterView } from './dead-letters.js';
import { sendWithBisect } from './send-with-bisect.js';

const REPLAY_LIMIT = 100_000;

export function deadLetterPort(rt: ConnectorRuntime, store: DeadLetterStore): DeadLetterPort {
  const id = rt.journal.id;
  const name = rt.def.name;
  return {
    list(limit, page) {
      const r = store.list(id, limit, page);
      return { items: r.rows.map((row) => toDeadLetterView(name, row)), total: r.total };
    },
    get(dlId) {
      const row = store.get(id, dlId);
      return row ? toDeadLetterView(name, row) : undefined;
    },
    async replay(ids) {
      const sink = rt.activeSink();
      if (!sink) throw new SluiceError('NOT_RUNNING', `connector ${rt.def.tenant}/${name} is ${rt.state}; dead letters replay through its running sink`);
      const items = store.take(id, ids, REPLAY_LIMIT);
      const batchSize = rt.def.delivery.batch_size;
      let replayed = 0;
      let failed = 0;
      for (let i = 0; i < items.length; i += batchSize) {
        const chunk = items.slice(i, i + batchSize);
        const failures = await sendWithBisect(sink, chunk.map((c) => c.record));
        const written: number[] = [];
        chunk.forEach((c, k) => {
          const err = failures.get(k);
          if (err) {
            store.updateError(id, c.id, err.message);
            failed += 1;
          } else written.push(c.id);
        });
        store.purge(id, written);
        replayed += written.length;
      }
      if (replayed > 0) rt.journal.countReplayed(replayed);
      return { replayed, failed };
    },
    purge(ids) {
      return store.purge(id, ids);
    },
  };
}
