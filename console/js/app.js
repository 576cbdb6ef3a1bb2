// Console shell: the token gate, the hash router and the navigation.
import { useEffect, useState } from '/console/vendor/hooks.mjs';
import { api, onUnauthorized, token } from './api.js';
import { ConnectorForm } from './connector-form.js';
import { ConnectorPage } from './connector-page.js';
import { ConnectorsPage } from './connectors-page.js';
import { DeadLettersPage } from './dead-letters-page.js';
import { html, render } from './html.js';

/** '#/c/<tenant>/<name>/<view>' → {page, tenant, name} */
function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'new') return { page: 'new' };
  if (parts[0] === 'c' && parts.length >= 3) return { page: parts[3] ?? 'connector', tenant: parts[1], name: parts[2] };
  return { page: 'connectors' };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function TokenForm({ onDone, refused }) {
  const [value, setValue] = useState('');
  const submit = (e) => {
    e.preventDefault();
    token.set(value.trim());
    onDone();
  };
  return html`<main class="narrow">
    <h1>Sluice console</h1>
    <form class="card" onSubmit=${submit}>
      <p>This Sluice asks for its API token (<code>SLUICE_API_TOKEN</code>). It is kept in this browser tab's session only.</p>
      ${refused && html`<p class="error" role="alert">The token was refused.</p>`}
      <label for="token">API token</label>
      <input id="token" type="password" autocomplete="current-password" value=${value} onInput=${(e) => setValue(e.target.value)} required />
      <div class="actions"><button type="submit" class="primary">Sign in</button></div>
    </form>
  </main>`;
}

function App() {
  const route = useRoute();
  // 'checking' → 'ok' | 'token' (the server wants a token) | 'down'
  const [gate, setGate] = useState({ state: 'checking' });
  const check = () =>
    api('GET', '/api/v1/connectors?limit=1')
      .then(() => setGate({ state: 'ok' }))
      .catch((e) => setGate(e.status === 401 ? { state: 'token', refused: Boolean(token.get()) } : { state: 'down', message: e.message }));
  useEffect(() => {
    check();
    return onUnauthorized(() => setGate({ state: 'token', refused: Boolean(token.get()) }));
  }, []);

  if (gate.state === 'checking') return html`<p class="muted">Connecting…</p>`;
  if (gate.state === 'token') return html`<${TokenForm} refused=${gate.refused} onDone=${check} />`;
  if (gate.state === 'down') return html`<main class="narrow"><p class="error" role="alert">Sluice did not answer: ${gate.message}</p><button onClick=${check}>Try again</button></main>`;

  const key = `${route.page}/${route.tenant ?? ''}/${route.name ?? ''}`;
  let page;
  if (route.page === 'new') page = html`<${ConnectorForm} key=${key} />`;
  else if (route.page === 'edit') page = html`<${ConnectorForm} key=${key} tenant=${route.tenant} name=${route.name} />`;
  else if (route.page === 'dead-letters') page = html`<${DeadLettersPage} key=${key} tenant=${route.tenant} name=${route.name} />`;
  else if (route.page === 'connector') page = html`<${ConnectorPage} key=${key} tenant=${route.tenant} name=${route.name} />`;
  else page = html`<${ConnectorsPage} key=${key} />`;
  return html`<header class="top">
      <a class="brand" href="#/">Sluice</a>
      <nav aria-label="main">
        <a href="#/" aria-current=${route.page === 'connectors' ? 'page' : undefined}>Connectors</a>
        <a href="#/new" aria-current=${route.page === 'new' ? 'page' : undefined}>New connector</a>
      </nav>
      ${token.get() && html`<button class="link" onClick=${() => { token.clear(); check(); }}>Sign out</button>`}
    </header>
    <main>${page}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
