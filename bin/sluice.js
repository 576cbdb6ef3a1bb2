#!/usr/bin/env node
// In a checkout, runs the TypeScript sources through tsx (so a stale dist/ never runs);
// in an installed package without src/, runs the compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'admin', 'cli', 'main.ts');
if (existsSync(source) && process.env.SLUICE_USE_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'dist', 'admin', 'cli', 'main.js')).href);
}
