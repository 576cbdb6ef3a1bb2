// Polling and history helpers shared by the pages.
import { useEffect, useRef, useState } from '/console/vendor/hooks.mjs';
import { api, connectorPath } from './api.js';

export const POLL_MS = 2000;

/** Runs `load` now and every `ms`; returns {data, error, reload}. A slow answer is never overlapped. */
export function usePoll(load, ms = POLL_MS, deps = []) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const busy = useRef(false);
  const tick = async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      setState({ data: await load(), error: undefined });
    } catch (e) {
      setState((s) => ({ data: s.data, error: e }));
    } finally {
      busy.current = false;
    }
  };
  useEffect(() => {
    tick();
    const t = setInterval(tick, ms);
    return () => clearInterval(t);
  }, deps);
  return { ...state, reload: tick };
}

/** Keeps each connector's history samples, fetching only the ones newer than the last held. */
export class HistoryCache {
  constructor(keepMs) {
    this.keepMs = keepMs;
    this.byKey = new Map();
  }

  async refresh(c) {
    const k = `${c.tenant}/${c.name}`;
    const held = this.byKey.get(k) ?? [];
    const since = held.length ? held[held.length - 1].t : Date.now() - this.keepMs;
    const h = await api('GET', connectorPath(c, '/history') + `&since=${Math.floor(since)}`);
    const cutoff = Date.now() - this.keepMs;
    const next = [...held, ...h.samples].filter((s) => s.t >= cutoff);
    this.byKey.set(k, next);
    return next;
  }
}
