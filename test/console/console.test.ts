// The web console in a real browser (Debian's Chromium, headless, driven by playwright-core):
// create a file connector through the form, see its counters move, pause and resume it, dead-letter
// a webhook's records and replay them from the page, a field error beside its field, 360 px, and
// no browser console error. SLUICE_CONSOLE_SCREENSHOTS=<dir> also saves the docs' screenshots.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureChromium } from '../harness/services.js';
import { publishNumbered, primeWith, range, readJsonLines, sluiceOnMosquitto, startWebhook, waitFor, type WebhookServer } from '../helpers/runtime.js';
import { tempDir } from '../helpers/server.js';

const WAIT = 60_000;
const shots = process.env.SLUICE_CONSOLE_SCREENSHOTS;

describe('web console in Chromium', { timeout: 300_000 }, () => {
  const fx = sluiceOnMosquitto();
  let browser: Browser;
  let page: Page;
  let hook: WebhookServer;
  let hookStatus = 400;
  const dir = tempDir('sluice-console-');
  const outFile = join(dir, 'out.jsonl');
  const consoleErrors: string[] = [];
  const refused: string[] = [];

  before(async () => {
    hook = await startWebhook(() => hookStatus);
    fx.hooks.push(hook);
    browser = await chromium.launch({ executablePath: await ensureChromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(WAIT);
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      // Chromium logs every 4xx answer to fetch; the validation refusals below are expected ones
      if (/^Failed to load resource: the server responded with a status of 400/.test(m.text())) refused.push(m.text());
      else consoleErrors.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cell = (name: string, field: string) => page.locator(`tr[data-connector="${name}"] [data-field="${field}"]`);
  const cellNumber = async (name: string, field: string) => Number((await cell(name, field).textContent())?.replace(/,/g, '') ?? NaN);
  const untilCell = (name: string, field: string, pred: (n: number) => boolean, what: string) =>
    waitFor(`${name} ${field} on the page: ${what}`, async () => {
      const n = await cellNumber(name, field);
      return pred(n) ? n : undefined;
    }, { timeoutMs: WAIT, intervalMs: 200, describe: () => cell(name, field).textContent() });

  it('opens on the connectors page', async () => {
    await page.goto(`${fx.server.url}/`);
    await page.getByRole('heading', { name: 'Connectors' }).waitFor();
    await page.getByText('No connectors yet').waitFor();
  });

  it('creates a file connector through the generated form', async () => {
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'New connector' }).click();
    await page.getByRole('heading', { name: 'New connector' }).waitFor();
    await page.getByLabel('Name *').fill('files');
    await page.locator('#f-type').selectOption('file');
    await page.getByLabel('Topic filter *').fill('console/files/#');
    await page.locator('#f-config-local_file_path').fill(outFile);
    // defaults and descriptions come from the schema
    assert.match((await page.locator('[data-path="config.rotation_strategy"] .help').textContent()) ?? '', /When to start a new file.*Default: none/);
    assert.match((await page.locator('[data-path="delivery.batch_size"] .help').textContent()) ?? '', /Default/);
    if (shots) await page.screenshot({ path: join(shots, 'console-create-form.png'), fullPage: false });
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('The config is valid.').waitFor();
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('heading', { name: /^files/ }).waitFor();
    assert.equal((await fx.api.ok<{ type: string }>('GET', '/api/v1/connectors/files')).type, 'file');
  });

  it('shows a validation error next to the field it names', async () => {
    await page.goto(`${fx.server.url}/#/new`);
    await page.locator('#f-type').selectOption('webhook');
    await page.getByLabel('Name *').fill('hook');
    await page.getByLabel('Topic filter *').fill('console/hook/#');
    await page.locator('#f-config-url').fill('ftp://not-http');
    await page.getByRole('button', { name: 'Validate' }).click();
    const err = page.locator('[data-path="config.url"] .field-error');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /http:\/\/ or https:\/\//);
    assert.equal(await page.locator('#f-config-url').getAttribute('aria-invalid'), 'true');
    // a rule broken outside the config is placed too (the create answer names topic_filter)
    await page.locator('#f-config-url').fill(hook.url);
    await page.getByLabel('Topic filter *').fill('console/#/bad');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.locator('[data-path="topic_filter"] .field-error').waitFor();
    assert.equal(await page.locator('[data-path="config.url"] .field-error').count(), 0);
    assert.ok(refused.length >= 2, 'the two refusals reached the browser as 400s');
  });

  it('creates a webhook connector that dead-letters what the target refuses', async () => {
    await page.getByLabel('Topic filter *').fill('console/hook/#');
    await page.locator('#f-failure_strategy-strategy').selectOption('dead_message_queue');
    await page.locator('#f-failure_strategy-wait_time_ms').fill('50');
    await page.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('heading', { name: /^hook/ }).waitFor();
    const def = await fx.api.ok<{ failure_strategy: { strategy: string; wait_time_ms: number } }>('GET', '/api/v1/connectors/hook');
    assert.deepEqual([def.failure_strategy.strategy, def.failure_strategy.wait_time_ms], ['dead_message_queue', 50]);
  });

  it('shows the counters move on the connectors page', async () => {
    await primeWith(fx.api, 'files', fx.url, 'console/files/p', 0);
    await page.goto(`${fx.server.url}/#/`);
    const first = await untilCell('files', 'written', (n) => n >= 1, 'the prime written');
    const pub = await publishNumbered({ url: fx.url, seqs: range(1, 21), topic: (s) => `console/files/${s}`, clientId: 'console-pub' });
    assert.equal(pub.acked.size, 20);
    const s = await fx.api.settled('files');
    assert.ok(s.written >= first + 20);
    await untilCell('files', 'written', (n) => n === s.written, `= ${s.written}`);
    await untilCell('files', 'received', (n) => n === s.received, `= ${s.received}`);
    assert.equal(await page.locator('tr[data-connector="files"]').getByText('holds').count(), 1);
    assert.ok(readJsonLines(outFile).length >= 21);
    if (shots) await page.screenshot({ path: join(shots, 'console-connectors.png'), fullPage: false });
  });

  it('pauses and resumes a connector from the page', async () => {
    await page.getByRole('button', { name: 'Pause files' }).click();
    await waitFor('paused on the page', async () => (await cell('files', 'state').textContent()) === 'paused', { timeoutMs: WAIT });
    assert.equal((await fx.api.status('files')).state, 'paused');
    const before = (await fx.api.status('files')).written;
    await publishNumbered({ url: fx.url, seqs: range(100, 105), topic: (s) => `console/files/${s}`, clientId: 'console-pub2' });
    await untilCell('files', 'pending', (n) => n === 5, 'five pending while paused');
    assert.equal((await fx.api.status('files')).written, before);
    await page.getByRole('button', { name: 'Resume files' }).click();
    await waitFor('running on the page', async () => (await cell('files', 'state').textContent()) === 'running', { timeoutMs: WAIT });
    await untilCell('files', 'written', (n) => n === before + 5, 'the five written after resume');
    await untilCell('files', 'pending', (n) => n === 0, 'nothing pending');
  });

  it('replays dead letters from the dead-letters page', async () => {
    await primeWith(fx.api, 'hook', fx.url, 'console/hook/p', 0);
    await publishNumbered({ url: fx.url, seqs: range(1, 4), topic: (s) => `console/hook/${s}`, clientId: 'console-pub3' });
    const s = await fx.api.until('hook', 'prime and three dead-lettered', (x) => x.dead_lettered >= 4 && x.pending === 0, WAIT);
    await untilCell('hook', 'dead_lettered', (n) => n === s.dead_lettered, `= ${s.dead_lettered}`);
    await cell('hook', 'dead_lettered').click();
    await page.getByRole('heading', { name: 'Dead letters of hook' }).waitFor();
    const rows = page.locator('tr[data-dead-letter]');
    await waitFor('dead-letter rows', async () => (await rows.count()) === s.dead_lettered, { timeoutMs: WAIT });
    assert.match((await rows.first().textContent()) ?? '', /HTTP 400/);
    await rows.first().getByRole('button', { name: 'Show payload' }).click();
    assert.match((await rows.first().locator('.preview pre').textContent()) ?? '', /^\{\n {2}"seq": \d+\n\}$/);

    hookStatus = 200; // the target takes them now
    await rows.first().getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await page.getByText('Replayed 1, failed again 0.').waitFor();
    await waitFor('one row fewer', async () => (await rows.count()) === s.dead_lettered - 1, { timeoutMs: WAIT });
    await page.getByRole('button', { name: 'Replay all' }).click();
    await page.getByText(`Replayed ${s.dead_lettered - 1}, failed again 0.`).waitFor();
    await page.getByText('No dead letters.').waitFor();
    assert.equal(hook.written.length, s.dead_lettered);
    assert.equal((await fx.api.ok<{ total: number }>('GET', '/api/v1/connectors/hook/dead-letters')).total, 0);
  });

  it("tries a transform on the connector page: each sample beside what the sink would receive", async () => {
    await page.goto(`${fx.server.url}/#/c/default/files`);
    await page.getByText('Try the transform').click();
    await page.getByLabel(/^Transform \(JSON/).fill('{"filter":"payload.seq > 1","map":"{ \\"n\\": payload.seq }"}');
    await page.getByLabel(/^Sample messages/).fill('console/files/1 {"seq":1}\nconsole/files/2 {"seq":2}\nconsole/files/3 {"seq":"x"}');
    await page.getByRole('button', { name: 'Try' }).click();
    const rows = page.locator('table.trial tbody tr');
    await waitFor('three trial rows', async () => (await rows.count()) === 3, { timeoutMs: WAIT });
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-outcome'))), ['filtered', 'sent', 'failed']);
    assert.match((await rows.nth(1).textContent()) ?? '', /\{"n":2\}/);
    await page.getByLabel(/^Transform \(JSON/).fill('{"filter":"("}');
    await page.getByRole('button', { name: 'Try' }).click();
    await page.getByText(/transform\.filter: does not parse/).waitFor();
  });

  it('labels every control, fits 360 px, and logged no console error', async () => {
    for (const hash of ['#/', '#/new', '#/c/default/files', '#/c/default/hook/dead-letters']) {
      await page.goto(`${fx.server.url}/${hash}`);
      await page.locator('main h1').first().waitFor();
      // (evaluated in the page; a string, since the test is compiled without the DOM types)
      const unlabelled = (await page.evaluate(
        "[...document.querySelectorAll('input, select, textarea')].filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML.slice(0, 80))",
      )) as string[];
      assert.deepEqual(unlabelled, [], `${hash}: controls without a label`);
    }
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${fx.server.url}/#/`);
    await cell('files', 'written').waitFor();
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= 360, `the connectors page is ${width} px wide at 360 px`);
    assert.deepEqual(consoleErrors, []);
  });
});
