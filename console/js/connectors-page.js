// Connectors page: one row per connector with its live state, rates, lag and totals; polled.
import { useMemo, useState } from '/console/vendor/hooks.mjs';
import { api, connectorPath } from './api.js';
import { Sparkline } from './charts.js';
import { duration, num, stateClass } from './format.js';
import { html } from './html.js';
import { HistoryCache, usePoll } from './poll.js';

const SPARK_MS = 10 * 60_000;

async function loadAll(cache) {
  const list = await api('GET', '/api/v1/connectors?limit=1000');
  return Promise.all(
    list.items.map(async (def) => {
      const [status, samples] = await Promise.all([
        api('GET', connectorPath(def, '/status')).catch((e) => ({ state: e.code === 'NOT_RUNNING' ? 'not loaded' : 'unknown', last_error: e.message })),
        cache.refresh(def).catch(() => []),
      ]);
      return { def, status, samples };
    }),
  );
}

/** the state to show: the live one from the status, else whatever the list gave */
export const liveState = (row) => row.status?.state ?? row.def.state ?? 'unknown';

function Row({ row, onAction }) {
  const { def, status: s, samples } = row;
  const last = samples[samples.length - 1];
  const state = liveState(row);
  const paused = state === 'paused' || def.desired_state === 'paused';
  const href = `#/c/${encodeURIComponent(def.tenant)}/${encodeURIComponent(def.name)}`;
  return html`<tr data-connector=${def.name}>
    <td data-label="Name"><a href=${href}>${def.name}</a>${def.tenant !== 'default' && html` <span class="muted">(${def.tenant})</span>`}</td>
    <td data-label="Type">${def.type}</td>
    <td data-label="Topic"><code>${def.topic_filter}</code></td>
    <td data-label="State"><span class=${stateClass(state)} data-field="state">${state}</span>
      ${s.last_error && html`<div class="last-error" title=${s.last_error}>${s.last_error}</div>`}</td>
    <td data-label="In / out per s" class="num"><span data-field="rates">${num(last?.in_per_s ?? 0)} / ${num(last?.out_per_s ?? 0)}</span>
      <${Sparkline} samples=${samples} label=${`${def.name}: messages per second in and out, last 10 minutes`} /></td>
    <td data-label="Pending" class="num"><span data-field="pending">${num(s.pending)}</span><div class="muted">${s.pending ? `oldest ${duration(s.oldest_pending_age_ms)}` : ''}</div></td>
    <td data-label="Received" class="num" data-field="received">${num(s.received)}</td>
    <td data-label="Written" class="num" data-field="written">${num(s.written)}</td>
    <td data-label="Discarded" class="num" data-field="discarded">${num(s.discarded_total)}</td>
    <td data-label="Dead letters" class="num"><a href=${`${href}/dead-letters`} data-field="dead_lettered">${num(s.dead_lettered)}</a></td>
    <td data-label="Accounting">${s.accounting_ok === undefined ? '–' : s.accounting_ok ? html`<span class="ok" title="received = written + discarded + dead-lettered + pending">holds</span>` : html`<span class="bad">broken</span>`}</td>
    <td data-label="Actions"><button onClick=${() => onAction(def, paused ? 'resume' : 'pause')} aria-label=${`${paused ? 'Resume' : 'Pause'} ${def.name}`}>${paused ? 'Resume' : 'Pause'}</button></td>
  </tr>`;
}

export function ConnectorsPage() {
  const cache = useMemo(() => new HistoryCache(SPARK_MS), []);
  const { data, error, reload } = usePoll(() => loadAll(cache));
  const [filter, setFilter] = useState({ name: '', type: '', state: '' });
  const [message, setMessage] = useState(undefined);
  const rows = data ?? [];
  const types = [...new Set(rows.map((r) => r.def.type))].sort();
  const states = [...new Set(rows.map(liveState))].sort();
  const shown = rows.filter((r) => r.def.name.toLowerCase().includes(filter.name.toLowerCase()) && (!filter.type || r.def.type === filter.type) && (!filter.state || liveState(r) === filter.state));
  const act = async (def, action) => {
    try {
      await api('POST', connectorPath(def, `/${action}`));
      setMessage({ ok: true, text: `${def.name}: ${action === 'pause' ? 'paused' : 'resumed'}` });
    } catch (e) {
      setMessage({ ok: false, text: `${def.name}: ${e.message}` });
    }
    reload();
  };
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.target.value });
  return html`<section>
    <div class="title-row"><h1>Connectors</h1><a class="button primary" href="#/new">New connector</a></div>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <label>Name <input type="search" value=${filter.name} onInput=${set('name')} placeholder="contains…" /></label>
      <label>Type <select value=${filter.type} onChange=${set('type')}><option value="">all</option>${types.map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
      <label>State <select value=${filter.state} onChange=${set('state')}><option value="">all</option>${states.map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
    </form>
    ${message && html`<p class=${message.ok ? 'notice' : 'error'} role="status">${message.text}</p>`}
    ${error && html`<p class="error" role="alert">Could not refresh: ${error.message}</p>`}
    ${data === undefined ? html`<p class="muted">Loading…</p>` : rows.length === 0 ? html`<p class="card">No connectors yet. <a href="#/new">Create one</a>, or with the CLI: <code>sluice connector create …</code></p>` : html`
    <div class="table-wrap"><table class="connectors">
      <thead><tr><th>Name</th><th>Type</th><th>Topic filter</th><th>State</th><th>In / out per s</th><th>Pending</th><th>Received</th><th>Written</th><th>Discarded</th><th>Dead letters</th><th>Accounting</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${shown.map((r) => html`<${Row} key=${`${r.def.tenant}/${r.def.name}`} row=${r} onAction=${act} />`)}</tbody>
    </table></div>
    <p class="muted">Updated every 2 s. Rates are averages over the core's 5 s samples.</p>`}
  </section>`;
}
