// Test helper: one InfluxQL statement against InfluxDB 1.x's /query, asserting it succeeded.
import assert from 'node:assert/strict';

export interface Series {
  name: string;
  columns: string[];
  values: unknown[][];
}

/** Reads with GET, everything else with POST; times in microseconds; `auth` as the u/p parameters. */
export async function influxql(baseUrl: string, q: string, opts: { db: string; auth?: { user: string; password: string } }): Promise<Series[]> {
  const u = new URL('/query', baseUrl);
  u.searchParams.set('q', q);
  u.searchParams.set('db', opts.db);
  u.searchParams.set('epoch', 'u');
  if (opts.auth) {
    u.searchParams.set('u', opts.auth.user);
    u.searchParams.set('p', opts.auth.password);
  }
  const res = await fetch(u, { method: /^\s*(SELECT|SHOW)/i.test(q) ? 'GET' : 'POST', signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { results?: { series?: Series[]; error?: string }[]; error?: string };
  assert.equal(res.status, 200, `${q}: ${JSON.stringify(body)}`);
  const r = body.results?.[0];
  assert.ok(r && !r.error, `${q}: ${JSON.stringify(body)}`);
  return r.series ?? [];
}
