// /openapi.json as outside tools read it: `@redocly/cli lint` (recommended rules) finds no error
// and no warning, with and without a bearer token; every operation has an id, a summary, tags
// and its real statuses with body schemas; /docs serves the reference page from the package.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server.js';

const REDOCLY = join(import.meta.dirname, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, { default?: unknown }> }> };
}

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
}

async function lint(doc: unknown, dir: string): Promise<LintProblem[]> {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  // exits 1 when it finds errors: the JSON report is on stdout either way
  const run = await promisify(execFile)(process.execPath, [REDOCLY, 'lint', file, '--format=json'], { env, cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const report = JSON.parse(run.stdout) as { problems: LintProblem[] };
  return report.problems;
}

function operations(doc: Doc): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [path, method, op] as [string, string, Operation]));
}

for (const token of [undefined, 'lint-token-123']) {
  describe(`OpenAPI document (${token ? 'with' : 'without'} a bearer token)`, () => {
    let s: TestServer;
    let doc: Doc;
    before(async () => {
      s = await startTestServer(token ? { apiToken: token } : {});
      doc = (await s.request<Doc>('GET', '/openapi.json')).body;
    });
    after(() => s.cleanup());

    test('@redocly/cli lint: 0 errors, 0 warnings', { timeout: 120_000 }, async () => {
      const problems = await lint(doc, s.dir);
      assert.deepEqual(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`), []);
    });

    test('OpenAPI 3.1; every operation has a unique operationId, a summary, a tag and error bodies of the Error schema', () => {
      assert.equal(doc.openapi, '3.1.0');
      const ops = operations(doc);
      assert.ok(ops.length >= 25, `${ops.length} operations`);
      const ids = ops.map(([, , op]) => op.operationId);
      assert.equal(new Set(ids).size, ids.length);
      for (const [path, method, op] of ops) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(op.operationId && op.summary && op.tags?.length, where);
        assert.ok(!Object.values(op.responses).some((r) => r.description === 'Default Response'), `${where} has a described response for each status`);
        for (const [status, r] of Object.entries(op.responses)) {
          if (Number(status) >= 400 && !(path === '/ready' && status === '503')) assert.deepEqual(r.content?.['application/json']?.schema, { $ref: '#/components/schemas/Error', description: r.description }, `${where} ${status}`);
        }
        assert.ok(op.responses['500'] && op.responses['404'], where);
        if (path !== '/health') assert.ok(op.responses['401'], `${where} declares 401`);
        if (path.includes('{')) assert.ok(op.responses['414'] && op.responses['400'], `${where} declares 400 and 414`);
        if (op.requestBody) assert.ok(op.responses['413'] && op.responses['415'], `${where} declares 413 and 415`);
      }
    });

    test('the real statuses are declared: 201, 204, 409, 422, 503', () => {
      const op = (path: string, method: string) => doc.paths[path]?.[method];
      assert.ok(op('/api/v1/connectors', 'post')?.responses['201']);
      assert.ok(op('/api/v1/connectors', 'post')?.responses['409']);
      assert.ok(op('/api/v1/connectors/{name}', 'delete')?.responses['204']);
      assert.equal(op('/api/v1/connectors/{name}', 'delete')?.responses['204']?.content, undefined);
      assert.ok(op('/api/v1/connector-types/{type}/validate', 'post')?.responses['422']);
      assert.ok(op('/api/v1/connectors/{name}/status', 'get')?.responses['503']);
      assert.ok(op('/api/v1/connectors/{name}/status', 'get')?.responses['409']);
      assert.deepEqual(Object.keys(op('/metrics', 'get')?.responses['200']?.content ?? {}), ['text/plain']);
    });

    test('request bodies reference the FailureStrategy, Delivery and config components', () => {
      const body = doc.paths['/api/v1/connectors']?.post?.requestBody?.content['application/json']?.schema as { properties: Record<string, { $ref?: string }> };
      assert.equal(body.properties.failure_strategy?.$ref, '#/components/schemas/FailureStrategy');
      assert.equal(body.properties.delivery?.$ref, '#/components/schemas/Delivery');
      assert.equal(body.properties.config?.$ref, '#/components/schemas/ConfigInput');
      const configInput = doc.components.schemas.ConfigInput as { anyOf: { $ref?: string }[] };
      assert.ok(configInput.anyOf.some((s) => s.$ref === '#/components/schemas/config.kafka'));
    });

    test('config components: a field with a default is not required', () => {
      const kafka = doc.components.schemas['config.kafka'];
      assert.deepEqual(kafka?.required, ['bootstrap_servers', 'topic']);
      for (const [name, c] of Object.entries(doc.components.schemas)) {
        for (const f of c.required ?? []) assert.equal(c.properties?.[f]?.default, undefined, `${name}.${f} has a default but is required`);
      }
      assert.deepEqual(doc.components.schemas.FailureStrategy?.required, ['strategy']);
      assert.equal(doc.components.schemas.Delivery?.required, undefined);
    });

    test('/docs serves the API reference page and its assets from the package, with no token', async () => {
      const page = await fetch(`${s.url}/docs/static/index.html`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /swagger-ui/);
      const asset = await fetch(`${s.url}/docs/static/swagger-ui-bundle.js`);
      assert.equal(asset.status, 200);
      assert.ok((await asset.arrayBuffer()).byteLength > 100_000);
      const spec = await fetch(`${s.url}/docs/json`);
      assert.equal(spec.status, 200);
      assert.equal(((await spec.json()) as Doc).openapi, '3.1.0');
    });
  });
}
