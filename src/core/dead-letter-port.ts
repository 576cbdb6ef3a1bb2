// Dead-letter operations of one connector: list, show, replay (queued to the connector's own
// loop, so the sink has one writer and the failure strategy applies), purge.
import type { DeadLetterPort } from './runtime-port.js';
import type { ConnectorRuntime } from './connector-runtime.js';
import { type DeadLetterStore, toDeadLetterView } from './dead-letters.js';

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
    replay(ids) {
      return rt.replayDeadLetters(ids);
    },
    purge(ids) {
      return store.purge(id, ids);
    },
  };
}
