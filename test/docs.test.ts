// Keeps docs/en and docs/zh honest: the same pages in both languages, and every generated
// table byte-identical to what src/metadata/docs-tables.ts renders from the sources now.
// A failure here usually means: run `npm run docs` (scripts/gen-docs.ts) and commit the pages.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../src/errors.js';
import { DeliverySchema } from '../src/metadata/delivery.js';
import { DOC_LANGS, type DocLang, extractRegion, generatedRegions, regionBody } from '../src/metadata/docs-tables.js';
import { FailureStrategySchema } from '../src/metadata/failure-strategy.js';
import { connectorTypes } from '../src/metadata/registry.js';
import { ENVIRONMENT, settingsFromEnv } from '../src/settings.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docs = (lang: DocLang, page = '') => join(root, 'docs', lang, page);

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...markdownFiles(p));
    else if (entry.endsWith('.md')) out.push(p);
  }
  return out;
}

function page(lang: DocLang, path: string): string {
  const file = docs(lang, path);
  assert.ok(existsSync(file), `docs/${lang}/${path} is missing`);
  return readFileSync(file, 'utf8');
}

function region(lang: DocLang, path: string, name: string): string {
  const body = extractRegion(page(lang, path), name);
  assert.ok(body !== undefined, `docs/${lang}/${path} has no <!-- BEGIN GENERATED: ${name} --> region`);
  return body;
}

/** The first cell of each table row, when it is a code span: the field names a table lists. */
function rowNames(table: string): string[] {
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

/** The anchors GitHub gives the headings of a page (outside code blocks). */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (m[1] ?? '').trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

function checkRegion(path: string, name: string): void {
  const r = generatedRegions().find((g) => g.page === path && g.name === name);
  assert.ok(r, `no generated region ${name} on ${path}`);
  for (const lang of DOC_LANGS) {
    assert.equal(region(lang, path, name), regionBody(r, lang), `docs/${lang}/${path} region ${name} is stale; run npm run docs`);
  }
}

describe('docs', () => {
  it('docs/en and docs/zh hold the same pages', () => {
    const [en, zh] = DOC_LANGS.map((lang) => markdownFiles(docs(lang)).map((f) => relative(docs(lang), f)).sort());
    assert.ok((en ?? []).length > 0, 'docs/en has no pages');
    assert.deepEqual(zh, en);
  });

  it('every registered connector type has en and zh pages with its current config table', () => {
    for (const type of connectorTypes()) {
      const path = `connectors/${type.name}.md`;
      checkRegion(path, `config:${type.name}`);
      for (const lang of DOC_LANGS) {
        assert.deepEqual(rowNames(region(lang, path, `config:${type.name}`)), Object.keys(type.schema.properties), `docs/${lang}/${path} does not list every field`);
      }
    }
  });

  it('has no connector page for a type that is not registered', () => {
    const known = new Set(connectorTypes().map((t) => `${t.name}.md`));
    for (const lang of DOC_LANGS) {
      for (const file of readdirSync(docs(lang, 'connectors'))) assert.ok(known.has(file), `docs/${lang}/connectors/${file}: no such connector type`);
    }
  });

  it('the failure strategy, delivery, error-code, env-var and type-index tables are current', () => {
    const tables: [string, string, string[]][] = [
      ['failure-strategies.md', 'failure-strategy', Object.keys(FailureStrategySchema.properties)],
      ['delivery.md', 'delivery', Object.keys(DeliverySchema.properties)],
      ['admin-api.md', 'error-codes', Object.keys(ERROR_CODES)],
      ['cli.md', 'env-vars', ENVIRONMENT.map(([name]) => name)],
      ['overview.md', 'connector-types', []],
    ];
    for (const [path, name, fields] of tables) {
      checkRegion(path, name);
      if (fields.length === 0) continue;
      for (const lang of DOC_LANGS) assert.deepEqual(rowNames(region(lang, path, name)), fields, `docs/${lang}/${path} ${name}: rows differ from the source`);
    }
  });

  it('every error code appears in both admin-api pages', () => {
    for (const lang of DOC_LANGS) {
      const text = page(lang, 'admin-api.md');
      for (const [name, e] of Object.entries(ERROR_CODES)) {
        assert.ok(text.includes(`\`${name}\``), `docs/${lang}/admin-api.md does not mention ${name}`);
        assert.ok(text.includes(String(e.code)), `docs/${lang}/admin-api.md does not mention code ${e.code}`);
      }
    }
  });

  it('ENVIRONMENT (the env-var table source) names exactly the variables settingsFromEnv reads', () => {
    const read = new Set<string>();
    const probe = new Proxy<NodeJS.ProcessEnv>(
      {},
      {
        get(_target, key) {
          if (typeof key === 'string') read.add(key);
          return undefined;
        },
      },
    );
    settingsFromEnv(probe);
    assert.deepEqual([...read].sort(), ENVIRONMENT.map(([name]) => name).sort());
  });

  it('every generated region on a page is one the generator knows', () => {
    const known = new Set(generatedRegions().map((r) => `${r.page}\u0000${r.name}`));
    for (const lang of DOC_LANGS) {
      for (const file of markdownFiles(docs(lang))) {
        const path = relative(docs(lang), file).split('\\').join('/');
        for (const m of readFileSync(file, 'utf8').matchAll(/<!-- BEGIN GENERATED: (.+?) -->/g)) {
          assert.ok(known.has(`${path}\u0000${m[1]}`), `docs/${lang}/${path}: unknown generated region ${m[1]}`);
        }
      }
    }
  });

  it('relative links between pages resolve, anchors included', () => {
    for (const lang of DOC_LANGS) {
      for (const file of markdownFiles(docs(lang))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]*)(?:#([^)\s]*))?\)/g)) {
          const [, target = '', anchor] = m;
          if (/^[a-z]+:/.test(target)) continue;
          const linked = target === '' ? file : resolve(dirname(file), target);
          assert.ok(existsSync(linked), `${relative(root, file)} links to missing ${target}`);
          if (anchor) assert.ok(anchors(readFileSync(linked, 'utf8')).has(anchor), `${relative(root, file)} links to missing anchor ${target}#${anchor}`);
        }
      }
    }
  });
});
