// Try the connector's transform (or an edited one) on sample messages or its newest journaled
// records, through POST …/transform/test: each input beside what the sink would receive.
// Nothing is written.
import { useState } from '/console/vendor/hooks.mjs';
import { api, connectorPath } from './api.js';
import { html } from './html.js';

const show = (m) => (m.payload_encoding === 'base64' ? `base64:${m.payload}` : m.payload);

export function TransformPanel({ c, transform }) {
  const [text, setText] = useState(JSON.stringify(transform ?? {}, null, 2));
  const [samples, setSamples] = useState('');
  const [results, setResults] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body = { transform: JSON.parse(text || '{}') };
      if (samples.trim()) {
        // one message per line: TOPIC payload…
        body.messages = samples.split('\n').filter((l) => l.trim()).map((l) => {
          const at = l.indexOf(' ');
          return at < 0 ? { topic: l.trim(), payload: '' } : { topic: l.slice(0, at), payload: l.slice(at + 1) };
        });
      } else body.last = 10;
      setResults((await api('POST', connectorPath(c, '/transform/test'), body)).results);
    } catch (e) {
      setResults(undefined);
      setError(e.fields?.length ? e.fields.map((f) => `${f.path}: ${f.rule}`).join('; ') : e.message);
    } finally {
      setBusy(false);
    }
  };

  return html`<details class="fieldset" aria-label="try the transform"><summary>Try the transform</summary>
    <label for="transform-text">Transform (JSON: <code>filter</code>, <code>map</code>; see the transforms docs)</label>
    <textarea id="transform-text" rows="6" value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
    <label for="transform-samples">Sample messages, one per line as <code>topic payload</code> (empty: the newest 10 journaled records)</label>
    <textarea id="transform-samples" rows="3" value=${samples} onInput=${(e) => setSamples(e.target.value)}></textarea>
    <p><button disabled=${busy} onClick=${run}>Try</button> <span class="muted">nothing is written</span></p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${results && (results.length === 0
      ? html`<p class="muted">No records to try: give sample messages.</p>`
      : html`<table class="trial"><thead><tr><th>input</th><th>outcome</th><th>what the sink receives</th></tr></thead><tbody>
        ${results.map((r) => html`<tr data-outcome=${r.outcome}><td><code>${r.input.topic}</code> ${show(r.input)}</td><td>${r.outcome}</td>
          <td>${r.outcome === 'failed' ? html`<span class="error">${r.error}</span>` : r.output.map((o) => html`<div><code>${o.topic}</code> ${show(o)}</div>`)}</td></tr>`)}
      </tbody></table>`)}
  </details>`;
}
