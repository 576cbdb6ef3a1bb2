// Rewrites the generated tables of docs/en and docs/zh (`npm run docs`).
// `--check` writes nothing and exits 1 when a page is out of date (for CI).
// A connector type without a page gets a stub holding its table; write the prose by hand.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectorPageStub, DOC_LANGS, generatedRegions, regionBody, replaceRegion } from '../src/metadata/docs-tables.js';
import { connectorTypes } from '../src/metadata/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message: string): never {
  console.error(`gen-docs: ${message}`);
  process.exit(1);
}

const check = process.argv.includes('--check');
const stale: string[] = [];
const pages = new Map<string, { before: string | undefined; text: string }>();

for (const lang of DOC_LANGS) {
  for (const type of connectorTypes()) {
    const path = join(root, 'docs', lang, 'connectors', `${type.name}.md`);
    if (!existsSync(path)) pages.set(path, { before: undefined, text: connectorPageStub(type, lang) });
  }
  for (const region of generatedRegions()) {
    if (!existsSync(join(root, region.source))) fail(`${region.name}: source ${region.source} does not exist`);
    const path = join(root, 'docs', lang, region.page);
    let page = pages.get(path);
    if (!page) {
      if (!existsSync(path)) fail(`${relative(root, path)} does not exist; it needs the markers of ${region.name}`);
      const before = readFileSync(path, 'utf8');
      page = { before, text: before };
      pages.set(path, page);
    }
    try {
      page.text = replaceRegion(page.text, region.name, regionBody(region, lang));
    } catch (e) {
      fail(`${relative(root, path)}: ${(e as Error).message}`);
    }
  }
}

for (const [path, page] of pages) {
  if (page.text === page.before) continue;
  const shown = relative(root, path);
  stale.push(shown);
  if (check) continue;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, page.text);
  console.log(`${page.before === undefined ? 'created' : 'updated'} ${shown}`);
}

if (check && stale.length > 0) {
  console.error(`out of date (run npm run docs): ${stale.join(', ')}`);
  process.exit(1);
}
if (stale.length === 0) console.log('docs are up to date');
