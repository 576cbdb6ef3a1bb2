// One form control per JSON Schema property: the right input for its type, its default shown,
// its description as help, secrets write-only, and the API's error for its path beside it.
import { html } from './html.js';

const SECRET_KEPT = '******';

export const fieldId = (path) => `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

function kindOf(schema) {
  if (schema['x-secret']) return 'secret';
  if (Array.isArray(schema.enum)) return 'enum';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'array') return 'list';
  if (schema.type === 'object') return 'map';
  if (schema['x-reference']) return 'multiline';
  return 'text';
}

const show = (v) => (typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * Turns what the user typed into the value to send; `undefined` means "leave it out" (the
 * server fills the default). Throws an Error whose message is the rule for the field.
 */
export function toValue(schema, raw, keepSecret) {
  const kind = kindOf(schema);
  if (kind === 'boolean') return raw;
  if (raw === undefined || raw === '') return kind === 'secret' && keepSecret ? SECRET_KEPT : undefined;
  if (kind === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) && String(raw).trim() !== '' ? n : raw; // the server names a non-number
  }
  if (kind === 'list') return String(raw).split('\n').map((x) => x.trim()).filter(Boolean);
  if (kind === 'map') {
    let v;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new Error('expected a JSON object, e.g. {"name": "value"}');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object, e.g. {"name": "value"}');
    return v;
  }
  return raw;
}

/** the text an input starts with for a stored value */
export function fromValue(schema, v) {
  const kind = kindOf(schema);
  if (v === undefined || v === null) return kind === 'boolean' ? undefined : '';
  if (kind === 'secret') return ''; // write-only: never put back into a field
  if (kind === 'list') return v.join('\n');
  if (kind === 'map') return Object.keys(v).length ? JSON.stringify(v, null, 1) : '';
  return kind === 'boolean' ? Boolean(v) : String(v);
}

export function SchemaField({ path, name, schema, required, raw, onChange, error, editing, hasStoredSecret }) {
  const id = fieldId(path);
  const kind = kindOf(schema);
  const help = schema.description;
  const def = schema.default;
  const described = `${id}-help${error ? ` ${id}-error` : ''}`;
  const common = { id, name: path, 'aria-describedby': described, 'aria-invalid': error ? 'true' : undefined };
  let control;
  if (kind === 'boolean') {
    const checked = raw === undefined ? Boolean(def) : raw;
    control = html`<input type="checkbox" ...${common} checked=${checked} onChange=${(e) => onChange(e.target.checked)} />`;
  } else if (kind === 'enum') {
    control = html`<select ...${common} value=${raw ?? ''} onChange=${(e) => onChange(e.target.value)}>
      ${!required && html`<option value="">${def !== undefined ? `default (${show(def)})` : '—'}</option>`}
      ${schema.enum.map((v) => html`<option value=${v}>${v}</option>`)}
    </select>`;
  } else if (kind === 'list' || kind === 'map' || kind === 'multiline') {
    control = html`<textarea ...${common} rows="3" value=${raw ?? ''} placeholder=${kind === 'list' ? 'one per line' : kind === 'map' ? '{"name": "value"}' : '${file:/path} or PEM text'} onInput=${(e) => onChange(e.target.value)}></textarea>`;
  } else if (kind === 'secret') {
    control = html`<input type="password" ...${common} autocomplete="new-password" value=${raw ?? ''} placeholder=${editing && hasStoredSecret ? '****** (unchanged)' : 'write-only'} onInput=${(e) => onChange(e.target.value)} />`;
  } else {
    const example = schema.examples?.[0];
    control = html`<input type=${kind === 'number' ? 'number' : 'text'} ...${common} value=${raw ?? ''} min=${schema.minimum} max=${schema.maximum}
      placeholder=${def !== undefined && def !== '' ? show(def) : example !== undefined ? `e.g. ${show(example)}` : ''} onInput=${(e) => onChange(e.target.value)} />`;
  }
  return html`<div class=${`field field-${kind}${error ? ' has-error' : ''}`} data-path=${path}>
    <label for=${id}>${name}${required && html` <span class="req" aria-label="required">*</span>`}${kind === 'secret' && html` <span class="muted">(secret, write-only)</span>`}</label>
    ${control}
    <div class="help muted" id=${`${id}-help`}>${help}${def !== undefined && def !== '' && kind !== 'secret' ? html` <span class="default">Default: <code>${show(def)}</code></span>` : ''}</div>
    ${error && html`<div class="field-error" id=${`${id}-error`} role="alert">${error}</div>`}
  </div>`;
}

/** every property of an object schema as fields, required ones first */
export function SchemaFields({ prefix, schema, raws, setRaw, errors, editing, stored }) {
  const req = new Set(schema.required ?? []);
  const names = Object.keys(schema.properties ?? {}).sort((a, b) => Number(req.has(b)) - Number(req.has(a)));
  return names.map((n) => {
    const path = `${prefix}.${n}`;
    const s = schema.properties[n];
    return html`<${SchemaField} key=${path} path=${path} name=${n} schema=${s} required=${req.has(n) && s.default === undefined}
      raw=${raws[path]} onChange=${(v) => setRaw(path, v)} error=${errors[path]} editing=${editing} hasStoredSecret=${Boolean(stored?.[n])} />`;
  });
}

/** the object to send for one schema from the raw inputs; field errors go into `errors` */
export function collect(prefix, schema, raws, stored, errors) {
  const out = {};
  for (const [n, s] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}.${n}`;
    try {
      const v = toValue(s, raws[path], Boolean(stored?.[n]));
      if (v !== undefined) out[n] = v;
    } catch (e) {
      errors[path] = e.message;
    }
  }
  return out;
}
