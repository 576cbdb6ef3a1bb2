// Schemathesis (pinned, installed by the harness into a venv) against /openapi.json of a real
// server: a bounded number of examples per operation, fixed seed. Every answer must be a
// non-5xx whose status is declared and whose body matches the declared response schema.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ensureSchemathesis, SCHEMATHESIS_VERSION } from '../harness/services.js';
import { startTestServer, type TestServer, webhookBody } from '../helpers/server.js';

const EXAMPLES_PER_OPERATION = 20;
let s: TestServer;

before(async () => {
  s = await startTestServer();
  // something to find: a connector the generated names may hit
  assert.equal((await s.request('POST', '/api/v1/connectors', webhookBody('kafka', { desired_state: 'paused' }))).status, 201);
});
after(() => s?.cleanup());

function run(bin: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // schemathesis keeps a cache dir in its working directory: the test server's temp dir, not the repo
    const child = spawn(bin, args, { cwd: s.dir, env: { ...process.env, NO_COLOR: '1', COLUMNS: '200' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** `❌ ST103 Undocumented status code: 32` lines of the summary, by their name. */
function failureCounts(out: string): Map<string, number> {
  const counts = new Map<string, number>();
  const summary = out.slice(out.lastIndexOf('SUMMARY'));
  for (const m of summary.matchAll(/❌\s+(?:[A-Z]+\d+\s+)?([^:\n]+):\s+(\d+)\s*$/gm)) counts.set((m[1] as string).trim(), Number(m[2]));
  return counts;
}

describe(`schemathesis ${SCHEMATHESIS_VERSION} against /openapi.json`, () => {
  test('no 5xx, no response-schema violation, no undocumented status', { timeout: 600_000 }, async () => {
    const bin = await ensureSchemathesis();
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).filter((m) => methods.has(m)).length, 0);
    const started = Date.now();
    const r = await run(bin, [
      'run', `${s.url}/openapi.json`,
      '--max-examples', String(EXAMPLES_PER_OPERATION), '--seed', '1', '--no-shrink', '--workers', '2',
      '--phases', 'examples,coverage,fuzzing',
      '--checks', 'not_a_server_error,status_code_conformance,response_schema_conformance',
      '--request-timeout', '30',
    ]);
    const counts = failureCounts(r.out);
    const cases = /(\d+) generated/.exec(r.out)?.[1];
    assert.ok(cases && Number(cases) > operations, `schemathesis ran (output: ${r.out.slice(-2000)})`);
    assert.match(r.out, new RegExp(`Tested: ${operations}\\b`), `every one of the ${operations} operations tested`);
    process.stderr.write(`[fuzz] ${cases} cases over ${operations} operations in ${((Date.now() - started) / 1000).toFixed(1)} s; failures by check: ${JSON.stringify(Object.fromEntries(counts))}\n`);
    const serverErrors = [...counts].filter(([k]) => /server error/i.test(k)).reduce((n, [, v]) => n + v, 0);
    const schemaViolations = [...counts].filter(([k]) => /schema/i.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.equal(serverErrors, 0, `5xx answers:\n${r.out.slice(-4000)}`);
    assert.equal(schemaViolations, 0, `response schema violations:\n${r.out.slice(-4000)}`);
    const undocumented = [...counts].filter(([k]) => /undocumented status/i.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.equal(undocumented, 0, `undocumented statuses:\n${r.out.slice(-4000)}`);
    const unknown = [...counts.keys()].filter((k) => !/server error|schema|undocumented status/i.test(k));
    assert.deepEqual(unknown, [], 'no other kind of failure');
  });
});
