// The layers of src/ and which may import which (docs/*/contributing.md, "Layers"). Every static
// import, re-export and dynamic import() of every source file is checked; a violation names the
// file, the import and the rule it breaks.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

type Layer = 'shared' | 'metadata' | 'connectors' | 'core' | 'admin' | 'entry';

/** The layer of a path relative to src/ (forward slashes, `.ts`). */
export function layerOf(path: string): Layer {
  const top = path.split('/')[0] ?? '';
  if (top === 'metadata' || top === 'connectors' || top === 'core' || top === 'admin') return top;
  // the composition roots wire every layer together: the service and the settings it reads
  if (path === 'serve.ts' || path === 'settings.ts' || path === 'connector-files.ts') return 'entry';
  // errors.ts, sqlite.ts, mqtt/**: plumbing that every layer may use and that uses no layer
  return 'shared';
}

/** What each layer may import, beyond itself and the shared modules. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  shared: [],
  metadata: [],
  connectors: ['metadata'],
  core: ['metadata', 'connectors'],
  admin: ['metadata', 'core'],
  entry: ['metadata', 'connectors', 'core', 'admin'],
};

/**
 * The narrow exceptions the code needs, each with its reason:
 * - metadata's ConnectorType names the sink contract (a type import of connectors/sink.ts), and its
 *   registry line loads a sink lazily (`import('../../connectors/<type>/index.js')`);
 * - metadata's docs tables render the environment-variable table from settings.ts's ENVIRONMENT;
 * - core sees connectors only through the sink contract (connectors/sink.ts);
 * - the CLI's `serve`, `journal salvage` and `check` commands run the service or its offline tools
 *   in-process (dynamic imports of serve.ts, settings.ts and the core's salvage and heap guard).
 */
function exception(from: string, to: string, dynamic: boolean): boolean {
  const fromLayer = layerOf(from);
  if (fromLayer === 'metadata' && to === 'connectors/sink.ts') return true;
  if (fromLayer === 'metadata' && dynamic && /^metadata\/configs\/[^/]+\.ts$/.test(from) && /^connectors\/[^/]+\/index\.ts$/.test(to)) return true;
  if (from === 'metadata/docs-tables.ts' && to === 'settings.ts') return true;
  if (from.startsWith('admin/cli/') && dynamic) return true;
  return false;
}

/** core may import connectors/sink.ts only, not a sink's implementation. */
function narrowed(from: string, to: string): boolean {
  return layerOf(from) === 'core' && layerOf(to) === 'connectors' && to !== 'connectors/sink.ts';
}

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

/** The import specifiers of a source text, each with whether it is a dynamic import(). */
export function importsOf(text: string): { spec: string; dynamic: boolean }[] {
  const out: { spec: string; dynamic: boolean }[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) out.push({ spec: m[1] as string, dynamic: false });
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push({ spec: m[1] as string, dynamic: false });
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) out.push({ spec: m[1] as string, dynamic: true });
  return out;
}

/** Checks files given as path (relative to src/) → text. */
export function violations(files: ReadonlyMap<string, string>): Violation[] {
  const found: Violation[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    for (const { spec, dynamic } of importsOf(text)) {
      if (!spec.startsWith('.')) continue;
      const to = relative(src, resolve(src, dirname(file), spec)).replace(/\\/g, '/').replace(/\.js$/, '.ts');
      if (to.startsWith('..')) {
        found.push({ file, imports: spec, rule: 'src/ must not import from outside src/' });
        continue;
      }
      const toLayer = layerOf(to);
      if (toLayer === from || exception(file, to, dynamic)) continue;
      if (toLayer === 'entry' || (toLayer !== 'shared' && !MAY_IMPORT[from].includes(toLayer))) {
        found.push({ file, imports: spec, rule: `${from} must not import ${toLayer}` });
      } else if (narrowed(file, to)) {
        found.push({ file, imports: spec, rule: 'core sees connectors only through connectors/sink.ts' });
      }
    }
  }
  return found;
}

function sourceFiles(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (p.endsWith('.ts')) out.set(relative(src, p).replace(/\\/g, '/'), readFileSync(p, 'utf8'));
  }
  return out;
}

describe('layers of src/', () => {
  it('every import follows the layer rules', () => {
    const files = sourceFiles(src);
    assert.ok(files.size > 50, `only ${files.size} source files found under ${src}`);
    assert.deepEqual(violations(files), []);
  });

  it('finds the violations it is written for', () => {
    const bad = new Map([
      ['core/x.ts', "import type { ConnectorView } from '../admin/connector-view.js';"],
      ['core/y.ts', "import { KafkaSink } from '../connectors/kafka/sink.js';"],
      ['metadata/x.ts', "export { Journal } from '../core/journal.js';"],
      ['metadata/configs/x.ts', "const s = () => import('../../core/journal.js');"],
      ['connectors/file/x.ts', "import type { ConnectorStatus } from '../../core/connector-status.js';"],
      ['connectors/file/y.ts', "import { buildServer } from '../../admin/server.js';"],
      ['errors.ts', "import { x } from './metadata/registry.js';"],
      ['admin/x.ts', "import { startService } from '../serve.js';"],
    ]);
    assert.deepEqual(
      violations(bad).map((v) => `${v.file}: ${v.rule}`),
      [
        'core/x.ts: core must not import admin',
        'core/y.ts: core sees connectors only through connectors/sink.ts',
        'metadata/x.ts: metadata must not import core',
        'metadata/configs/x.ts: metadata must not import core',
        'connectors/file/x.ts: connectors must not import core',
        'connectors/file/y.ts: connectors must not import admin',
        'errors.ts: shared must not import metadata',
        'admin/x.ts: admin must not import entry',
      ],
    );
    const good = new Map([
      ['metadata/connector-type.ts', "import type { ConnectorSink } from '../connectors/sink.js';"],
      ['metadata/configs/file.ts', "loadSink: () => import('../../connectors/file/index.js'),"],
      ['core/journal.ts', "import { migrate } from '../sqlite.js';\nimport type { SinkRecord } from '../connectors/sink.js';"],
      ['admin/routes/x.ts', "import type { RuntimePort } from '../../core/runtime-port.js';"],
    ]);
    assert.deepEqual(violations(good), []);
  });
});
