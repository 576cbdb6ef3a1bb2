// One connector: live status, an hour of rates and pending, its definition, recent errors, and
// pause/resume/restart/delete (delete asks first).
import { useMemo, useState } from '/console/vendor/hooks.mjs';
import { api, connectorPath } from './api.js';
import { LineChart } from './charts.js';
import { ago, duration, num, stateClass, time } from './format.js';
import { html } from './html.js';
import { HistoryCache, usePoll } from './poll.js';
import { TransformPanel } from './transform-panel.js';

async function load(c, cache) {
  const [def, status, samples, dl] = await Promise.all([
    api('GET', connectorPath(c)),
    api('GET', connectorPath(c, '/status')).catch((e) => ({ state: 'not loaded', last_error: e.message })),
    cache.refresh(c).catch(() => []),
    api('GET', connectorPath(c, '/dead-letters') + '&limit=5').catch(() => ({ items: [], total: 0 })),
  ]);
  return { def, status, samples, dl };
}

function Stat({ label, value, field }) {
  return html`<div class="stat"><div class="muted">${label}</div><div class="value" data-field=${field}>${value}</div></div>`;
}

export function ConnectorPage({ tenant, name }) {
  const c = { tenant, name };
  const cache = useMemo(() => new HistoryCache(3_600_000), []);
  const { data, error, reload } = usePoll(() => load(c, cache));
  const [message, setMessage] = useState(undefined);
  const [busy, setBusy] = useState(false);

  const act = async (action) => {
    if (action === 'delete' && !confirm(`Delete connector ${name}? Its journal and dead letters go with it.`)) return;
    if (action === 'restart' && !confirm(`Restart connector ${name}? Its current batch is drained first.`)) return;
    setBusy(true);
    try {
      if (action === 'delete') {
        await api('DELETE', connectorPath(c));
        location.hash = '#/';
        return;
      }
      await api('POST', connectorPath(c, `/${action}`));
      setMessage({ ok: true, text: `${action} done` });
    } catch (e) {
      setMessage({ ok: false, text: e.message });
    } finally {
      setBusy(false);
    }
    reload();
  };

  if (!data) return error ? html`<p class="error" role="alert">${error.message}</p>` : html`<p class="muted">Loading…</p>`;
  const { def, status: s, samples, dl } = data;
  const paused = s.state === 'paused' || def.desired_state === 'paused';
  const base = `#/c/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`;
  return html`<section>
    <p><a href="#/">← Connectors</a></p>
    <div class="title-row">
      <h1>${name} <span class=${stateClass(s.state)} data-field="state">${s.state}</span></h1>
      <div class="actions">
        <button disabled=${busy} onClick=${() => act(paused ? 'resume' : 'pause')}>${paused ? 'Resume' : 'Pause'}</button>
        <button disabled=${busy} onClick=${() => act('restart')}>Restart</button>
        <a class="button" href=${`${base}/edit`}>Edit</a>
        <a class="button" href=${`${base}/dead-letters`}>Dead letters (${num(dl.total)})</a>
        <button disabled=${busy} class="danger" onClick=${() => act('delete')}>Delete</button>
      </div>
    </div>
    ${message && html`<p class=${message.ok ? 'notice' : 'error'} role="status">${message.text}</p>`}
    ${error && html`<p class="error" role="alert">Could not refresh: ${error.message}</p>`}
    <p class="muted">${def.type} · <code>${def.topic_filter}</code> · tenant ${def.tenant} · desired state ${def.desired_state}${def.description ? ` · ${def.description}` : ''}</p>
    <div class="stats">
      <${Stat} label="Received" value=${num(s.received)} field="received" />
      <${Stat} label="Written" value=${num(s.written)} field="written" />
      <${Stat} label="Discarded" value=${num(s.discarded_total)} field="discarded" />
      <${Stat} label="Dead-lettered" value=${num(s.dead_lettered)} field="dead_lettered" />
      <${Stat} label="Filtered" value=${num(s.filtered ?? 0)} field="filtered" />
      <${Stat} label="Pending" value=${num(s.pending)} field="pending" />
      <${Stat} label="Oldest pending" value=${s.pending ? duration(s.oldest_pending_age_ms) : '–'} />
      <${Stat} label="Retries" value=${num(s.retries)} />
      <${Stat} label="Last success" value=${s.last_success_at ? ago(s.last_success_at) : 'never'} />
      <${Stat} label="Source" value=${s.source_connected === undefined ? '–' : s.source_connected ? 'connected' : 'disconnected'} />
      <${Stat} label="Journal" value=${s.journal_bytes === undefined ? '–' : `${num(s.journal_bytes / 1048576)} / ${num(s.max_journal_bytes / 1048576)} MiB${s.journal_full ? ' (full)' : ''}`} />
      <${Stat} label="Accounting" value=${s.accounting_ok === undefined ? '–' : s.accounting_ok ? 'holds' : 'broken'} />
    </div>
    <h2>Last hour</h2>
    <${LineChart} title="Messages per second" unit="/s" samples=${samples}
      series=${[{ name: 'in', cls: 'line-in', values: samples.map((x) => x.in_per_s) }, { name: 'written', cls: 'line-out', values: samples.map((x) => x.out_per_s) }, { name: 'failed', cls: 'line-bad', values: samples.map((x) => x.failed_per_s) }]} />
    <${LineChart} title="Pending" unit="records" samples=${samples} series=${[{ name: 'pending', cls: 'line-pending', values: samples.map((x) => x.pending) }]} />
    <h2>Recent errors</h2>
    ${s.last_error ? html`<p class="error"><span class="muted">${time(s.last_error_at)}</span> ${s.last_error}</p>` : html`<p class="muted">No error.</p>`}
    ${dl.items.length > 0 && html`<ul class="errors">${dl.items.map((d) => html`<li><span class="muted">${time(d.dead_letter_timestamp)} · dead letter ${d.id}</span> ${d.error_message}</li>`)}</ul>`}
    <h2>Transform</h2>
    <${TransformPanel} c=${c} transform=${def.transform} />
    <h2>Definition</h2>
    <pre class="definition" aria-label="definition">${JSON.stringify(def, null, 2)}</pre>
  </section>`;
}
