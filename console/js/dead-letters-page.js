// A connector's dead letters: paged list with the error, retry count and a payload preview;
// replay selected or all; purge selected or all after a confirmation.
import { useEffect, useState } from '/console/vendor/hooks.mjs';
import { api, connectorPath } from './api.js';
import { num, previewPayload, time } from './format.js';
import { html } from './html.js';

const PAGE_SIZE = 20;

function Preview({ item }) {
  const p = previewPayload(item.payload, item.payload_encoding);
  return html`<div class="preview"><div class="muted">${p.note}${item.payload_encoding === 'base64' ? html` · base64: <code class="wrap">${item.payload.slice(0, 200)}${item.payload.length > 200 ? '…' : ''}</code>` : ''}</div><pre>${p.text}</pre></div>`;
}

export function DeadLettersPage({ tenant, name }) {
  const c = { tenant, name };
  const [page, setPage] = useState(1);
  const [data, setData] = useState(undefined);
  const [selected, setSelected] = useState(new Set());
  const [open, setOpen] = useState(new Set());
  const [message, setMessage] = useState(undefined);
  const [busy, setBusy] = useState(false);

  const load = async (p = page) => {
    try {
      const d = await api('GET', connectorPath(c, '/dead-letters') + `&limit=${PAGE_SIZE}&page=${p}`);
      if (d.items.length === 0 && p > 1 && d.total > 0) return load(Math.max(1, Math.ceil(d.total / PAGE_SIZE)));
      setPage(p);
      setData(d);
      setSelected((s) => new Set([...s].filter((id) => d.items.some((i) => i.id === id))));
    } catch (e) {
      setMessage({ ok: false, text: e.message });
    }
  };
  useEffect(() => {
    load(1);
  }, []);

  const act = async (what, ids) => {
    const n = ids ? ids.length : data.total;
    if (what === 'purge' && !confirm(`Delete ${ids ? n : `all ${n}`} dead letter${n === 1 ? '' : 's'} of ${name}? They cannot be replayed after that.`)) return;
    setBusy(true);
    try {
      const body = ids ? { ids } : undefined;
      if (what === 'replay') {
        const r = await api('POST', connectorPath(c, '/dead-letters/replay'), body);
        setMessage({ ok: r.failed === 0, text: `Replayed ${r.replayed}, failed again ${r.failed}.` });
      } else {
        const r = await api('DELETE', connectorPath(c, '/dead-letters'), body);
        setMessage({ ok: true, text: `Purged ${r.purged}.` });
      }
      setSelected(new Set());
    } catch (e) {
      setMessage({ ok: false, text: e.message });
    } finally {
      setBusy(false);
    }
    load();
  };

  const toggle = (set, setter, id) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setter(next);
  };
  const items = data?.items ?? [];
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const allOnPage = items.length > 0 && items.every((i) => selected.has(i.id));
  return html`<section>
    <p><a href=${`#/c/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`}>← ${name}</a></p>
    <div class="title-row"><h1>Dead letters of ${name}</h1><span class="muted" data-field="dl-total">${data ? `${num(data.total)} in all` : ''}</span></div>
    <div class="actions">
      <button disabled=${busy || selected.size === 0} onClick=${() => act('replay', [...selected])}>Replay selected (${selected.size})</button>
      <button disabled=${busy || !data?.total} onClick=${() => act('replay')}>Replay all</button>
      <button disabled=${busy || selected.size === 0} class="danger" onClick=${() => act('purge', [...selected])}>Purge selected</button>
      <button disabled=${busy || !data?.total} class="danger" onClick=${() => act('purge')}>Purge all</button>
      <button disabled=${busy} onClick=${() => load()}>Refresh</button>
    </div>
    ${message && html`<p class=${message.ok ? 'notice' : 'error'} role="status">${message.text}</p>`}
    ${!data ? html`<p class="muted">Loading…</p>` : items.length === 0 ? html`<p class="card">No dead letters.</p>` : html`
    <div class="table-wrap"><table class="dead-letters">
      <thead><tr>
        <th><input type="checkbox" aria-label="select every dead letter on this page" checked=${allOnPage} onChange=${() => setSelected(allOnPage ? new Set() : new Set(items.map((i) => i.id)))} /></th>
        <th>Id</th><th>Dead-lettered</th><th>Topic</th><th>Error</th><th>Retries</th><th>Payload</th></tr></thead>
      <tbody>${items.map((i) => html`<tr key=${i.id} data-dead-letter=${i.id}>
        <td data-label="Select"><input type="checkbox" aria-label=${`select dead letter ${i.id}`} checked=${selected.has(i.id)} onChange=${() => toggle(selected, setSelected, i.id)} /></td>
        <td data-label="Id">${i.id}</td>
        <td data-label="Dead-lettered">${time(i.dead_letter_timestamp)}</td>
        <td data-label="Topic"><code>${i.source_topic}</code></td>
        <td data-label="Error" class="error-text">${i.error_message}</td>
        <td data-label="Retries" class="num">${i.retry_times}</td>
        <td data-label="Payload"><button class="link" aria-expanded=${open.has(i.id)} onClick=${() => toggle(open, setOpen, i.id)}>${open.has(i.id) ? 'Hide' : 'Show'} payload</button>
          ${open.has(i.id) && html`<${Preview} item=${i} />`}</td>
      </tr>`)}</tbody>
    </table></div>
    <nav class="pager" aria-label="pages">
      <button disabled=${page <= 1} onClick=${() => load(page - 1)}>Previous</button>
      <span>Page ${page} of ${pages}</span>
      <button disabled=${page >= pages} onClick=${() => load(page + 1)}>Next</button>
    </nav>`}
  </section>`;
}
