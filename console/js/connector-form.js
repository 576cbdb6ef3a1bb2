// Create and edit form, generated from /api/v1/connector-types: the type's config schema, the
// failure strategy and the delivery settings. Validate and Test connection use the validate
// route; the API's field errors are shown next to the field their path names.
import { useEffect, useState } from '/console/vendor/hooks.mjs';
import { api, connectorPath } from './api.js';
import { html } from './html.js';
import { collect, fieldId, fromValue, SchemaFields } from './schema-fields.js';

const TOP_FIELDS = ['name', 'type', 'topic_filter', 'description'];

function rawsOf(prefix, schema, values) {
  const out = {};
  for (const [n, s] of Object.entries(schema.properties ?? {})) {
    const v = fromValue(s, values?.[n]);
    if (v !== undefined) out[`${prefix}.${n}`] = v;
  }
  return out;
}

/** {path → rule} for the fields on the form; errors for other paths are listed above it */
function placeErrors(fields, known) {
  const at = {};
  const other = [];
  for (const f of fields) {
    let p = f.path;
    while (p && !known.has(p)) p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '';
    if (p) at[p] = at[p] ? `${at[p]}; ${f.rule}` : f.rule;
    else other.push(`${f.path}: ${f.rule}`);
  }
  return { at, other };
}

export function ConnectorForm({ tenant, name }) {
  const editing = Boolean(name);
  const [meta, setMeta] = useState(undefined);
  const [stored, setStored] = useState(undefined);
  const [top, setTop] = useState({ name: '', type: '', topic_filter: '', description: '' });
  const [raws, setRaws] = useState({});
  // the transform as JSON text: sent with the definition, so a PUT keeps it
  const [transformText, setTransformText] = useState('');
  const [errors, setErrors] = useState({});
  const [result, setResult] = useState(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    (async () => {
      try {
        const types = await api('GET', '/api/v1/connector-types');
        setMeta(types);
        if (editing) {
          const def = await api('GET', connectorPath({ tenant, name }));
          const t = types.items.find((x) => x.name === def.type);
          setStored(def);
          setTop({ name: def.name, type: def.type, topic_filter: def.topic_filter, description: def.description ?? '' });
          setTransformText(def.transform ? JSON.stringify(def.transform, null, 2) : '');
          setRaws({ ...rawsOf('config', t?.schema ?? {}, def.config), ...rawsOf('failure_strategy', types.failure_strategy_schema, def.failure_strategy), ...rawsOf('delivery', types.delivery_schema, def.delivery) });
        } else {
          setTop((x) => ({ ...x, type: x.type || (types.items.find((t) => t.name === 'file') ?? types.items[0])?.name }));
        }
      } catch (e) {
        setResult({ ok: false, text: e.message });
      }
    })();
  }, []);

  if (!meta) return result ? html`<p class="error" role="alert">${result.text}</p>` : html`<p class="muted">Loading…</p>`;
  const type = meta.items.find((t) => t.name === top.type);
  const configSchema = type?.schema ?? { properties: {} };
  const known = new Set([...TOP_FIELDS, ...Object.keys(raws), ...['config', 'failure_strategy', 'delivery'].flatMap((p) => Object.keys((p === 'config' ? configSchema : p === 'failure_strategy' ? meta.failure_strategy_schema : meta.delivery_schema).properties).map((n) => `${p}.${n}`))]);
  const setRaw = (path, v) => setRaws((r) => ({ ...r, [path]: v }));
  const setTopField = (k) => (e) => setTop({ ...top, [k]: e.target.value });

  /** the body to send, or undefined when a field could not be read (errors set) */
  const gather = () => {
    const errs = {};
    const config = collect('config', configSchema, raws, editing && stored?.type === top.type ? stored.config : undefined, errs);
    const failure_strategy = collect('failure_strategy', meta.failure_strategy_schema, raws, undefined, errs);
    const delivery = collect('delivery', meta.delivery_schema, raws, undefined, errs);
    let transform;
    if (transformText.trim()) {
      try {
        transform = JSON.parse(transformText);
      } catch (e) {
        errs.transform = `must be a JSON object: ${e.message}`;
      }
    }
    setErrors(errs);
    if (Object.keys(errs).length) {
      setResult({ ok: false, text: 'Some fields could not be read; see the messages beside them.' });
      return undefined;
    }
    // an untouched section is left out: the server applies its defaults as a whole
    return { config, ...(Object.keys(failure_strategy).length ? { failure_strategy } : {}), ...(Object.keys(delivery).length ? { delivery } : {}), ...(transform ? { transform } : {}) };
  };

  const run = async (what, fn) => {
    setBusy(true);
    setResult(undefined);
    try {
      setResult({ ok: true, text: await fn() });
      setErrors({});
    } catch (e) {
      const placed = placeErrors(e.fields ?? [], known);
      setErrors(placed.at);
      setResult({ ok: false, text: `${what}: ${e.fields?.length ? 'the server refused some fields; see the messages beside them.' : e.message}`, other: placed.other });
    } finally {
      setBusy(false);
    }
  };

  const validate = (probe) => {
    const body = gather();
    if (!body) return;
    run(probe ? 'Test connection' : 'Validate', async () => {
      await api('POST', `/api/v1/connector-types/${encodeURIComponent(top.type)}/validate`, { config: body.config, probe });
      return probe ? `Connection test passed: ${top.type} target reachable.` : 'The config is valid.';
    });
  };

  const save = (e) => {
    e.preventDefault();
    const body = gather();
    if (!body) return;
    const def = { type: top.type, topic_filter: top.topic_filter, description: top.description, ...body };
    run('Save', async () => {
      const saved = editing
        ? await api('PUT', connectorPath({ tenant, name }), { ...def, desired_state: stored.desired_state, revision: stored.revision })
        : await api('POST', '/api/v1/connectors', { name: top.name, ...def });
      location.hash = `#/c/${encodeURIComponent(saved.tenant)}/${encodeURIComponent(saved.name)}`;
      return 'Saved.';
    });
  };

  const topField = (k, label, help, input) => html`<div class=${`field${errors[k] ? ' has-error' : ''}`} data-path=${k}>
    <label for=${fieldId(k)}>${label}</label>${input}
    <div class="help muted" id=${`${fieldId(k)}-help`}>${help}</div>
    ${errors[k] && html`<div class="field-error" id=${`${fieldId(k)}-error`} role="alert">${errors[k]}</div>`}
  </div>`;
  const describedBy = (k) => `${fieldId(k)}-help${errors[k] ? ` ${fieldId(k)}-error` : ''}`;

  return html`<section>
    <h1>${editing ? `Edit ${name}` : 'New connector'}</h1>
    <form class="connector-form" onSubmit=${save} novalidate>
      ${result && html`<div class=${result.ok ? 'notice' : 'error'} role="status">${result.text}${result.other?.length > 0 && html`<ul>${result.other.map((o) => html`<li>${o}</li>`)}</ul>`}</div>`}
      <fieldset><legend>Connector</legend>
        ${topField('name', 'Name *', editing ? 'A connector cannot be renamed.' : 'Unique in the tenant: letters, digits, _ . -', html`<input id=${fieldId('name')} value=${top.name} disabled=${editing} required aria-describedby=${describedBy('name')} onInput=${setTopField('name')} />`)}
        ${topField('type', 'Type *', type?.description ?? '', html`<select id=${fieldId('type')} value=${top.type} aria-describedby=${describedBy('type')} onChange=${setTopField('type')}>
          ${meta.items.map((t) => html`<option value=${t.name}>${t.title} (${t.name})${t.runtime_available ? '' : ' — definition only'}</option>`)}</select>`)}
        ${topField('topic_filter', 'Topic filter *', 'MQTT topic filter to subscribe to; + and # wildcards and $share/<group>/… allowed.', html`<input id=${fieldId('topic_filter')} value=${top.topic_filter} placeholder="e.g. sensors/+/temp" required aria-describedby=${describedBy('topic_filter')} onInput=${setTopField('topic_filter')} />`)}
        ${topField('description', 'Description', 'Free text, at most 1024 characters.', html`<input id=${fieldId('description')} value=${top.description} aria-describedby=${describedBy('description')} onInput=${setTopField('description')} />`)}
      </fieldset>
      <fieldset><legend>${type?.title ?? top.type} config</legend>
        <${SchemaFields} prefix="config" schema=${configSchema} raws=${raws} setRaw=${setRaw} errors=${errors} editing=${editing} stored=${stored?.type === top.type ? stored.config : undefined} />
      </fieldset>
      <fieldset><legend>Failure strategy</legend>
        <p class="help muted">${meta.failure_strategy_schema.description ?? 'What happens to a record the sink could not write.'}</p>
        <${SchemaFields} prefix="failure_strategy" schema=${meta.failure_strategy_schema} raws=${raws} setRaw=${setRaw} errors=${errors} editing=${editing} />
      </fieldset>
      <details class="fieldset" open=${Object.keys(errors).some((k) => k.startsWith('delivery.'))}><summary>Delivery settings</summary>
        <${SchemaFields} prefix="delivery" schema=${meta.delivery_schema} raws=${raws} setRaw=${setRaw} errors=${errors} editing=${editing} />
      </details>
      <details class="fieldset" open=${Boolean(transformText.trim()) || Object.keys(errors).some((k) => k.startsWith('transform'))}><summary>Transform</summary>
        ${topField('transform', 'Transform (JSON)', 'Optional: {"filter": "<JSONata>", "map": {"payload": …, "topic": …, "timestamp": …, "user_properties": …}}. Empty: records go as received.', html`<textarea id=${fieldId('transform')} rows="5" value=${transformText} aria-describedby=${describedBy('transform')} onInput=${(e) => setTransformText(e.target.value)}></textarea>`)}
      </details>
      <div class="actions sticky">
        <button type="button" disabled=${busy} onClick=${() => validate(false)}>Validate</button>
        <button type="button" disabled=${busy} onClick=${() => validate(true)}>Test connection</button>
        <button type="submit" disabled=${busy} class="primary">${editing ? 'Save changes' : 'Create connector'}</button>
        <a class="button" href=${editing ? `#/c/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}` : '#/'}>Cancel</a>
      </div>
    </form>
  </section>`;
}
