// Packaging: the Dockerfile copies what exists and runs the package's bin (no Docker engine here
// to build it), the systemd unit passes `systemd-analyze verify`, and `npm pack` gives a
// package whose bin runs from an extracted copy (compiled dist/, no sources).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, tempDir } from './helpers/server.js';
import { sleep } from './helpers/runtime.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; version: string; files: string[] };

function jsonArray(line: string | undefined): string[] {
  return JSON.parse((line ?? '').replace(/^\w+\s+/, '')) as string[];
}

test('Dockerfile: multi-stage, non-root, data volume, health check on /ready, copies what exists, runs the bin', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.ok(lines.filter((l) => l.startsWith('FROM ')).length >= 2, 'multi-stage');
  const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
  assert.ok(user && !/\b(root|0)\b/.test(user), 'runs as a non-root user');
  assert.ok(lines.some((l) => l.startsWith('VOLUME ') && l.includes('/var/lib/sluice')));
  assert.match(lines.find((l) => l.startsWith('HEALTHCHECK ')) ?? '', /\/ready/);
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from='))) {
    const sources = l.split(/\s+/).slice(1, -1);
    for (const s of sources) {
      assert.ok(existsSync(join(ROOT, s)), `COPY ${s}: no such file in the repository`);
      assert.ok(!ignored.includes(s.replace(/\/$/, '')), `COPY ${s} is excluded by .dockerignore`);
    }
  }
  const entry = jsonArray(lines.find((l) => l.startsWith('ENTRYPOINT ')));
  const cmd = jsonArray(lines.find((l) => l.startsWith('CMD ')));
  assert.deepEqual([...entry, ...cmd], ['node', `/app/${pkg.bin.sluice}`, 'serve']);
  assert.ok(lines.some((l) => l === 'COPY bin ./bin'), 'the bin is in the image');
});

test('systemd unit: verified by systemd-analyze, runs `sluice serve`, reload is SIGHUP, hardened', (t) => {
  const unit = join(ROOT, 'deploy', 'sluice.service');
  const text = readFileSync(unit, 'utf8');
  assert.match(text, /^ExecStart=\S+ \S*bin\/sluice\.js serve$/m);
  assert.match(text, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  for (const option of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=', 'StateDirectory=sluice', 'User=sluice']) assert.ok(text.includes(`\n${option}\n`), `missing ${option}`);
  const analyze = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  if (analyze.error) {
    t.diagnostic('systemd-analyze is not installed; the unit was checked by its text only');
    return;
  }
  // a missing /usr/bin/node on the machine is not a fault of the unit
  const complaints = `${analyze.stdout}${analyze.stderr}`.split('\n').filter((l) => l.trim() && !/Command \/usr\/bin\/node is not executable/.test(l));
  assert.deepEqual(complaints, []);
});

test('npm pack: the packed bin runs from an extracted copy: --version, serve and a client command', async () => {
  const dir = tempDir('sluice-pack-');
  const packed = JSON.parse(execFileSync('npm', ['pack', '--pack-destination', dir, '--json', '--silent'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]?.files.map((f) => f.path) ?? [];
  assert.ok(files.includes('dist/admin/cli/main.js') && files.includes('bin/sluice.js') && files.includes('console/index.html'), files.join(', '));
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'no sources or tests in the package');
  execFileSync('tar', ['-xzf', join(dir, packed[0]?.filename ?? ''), '-C', dir]);
  const app = join(dir, 'package');
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  const bin = join(app, 'bin', 'sluice.js');
  assert.equal(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim(), pkg.version);

  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], { cwd: dir, env: { ...process.env, SLUICE_DB: join(dir, 'data', 'sluice.db'), SLUICE_EMBEDDED_BROKER_PORT: '0', SLUICE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (!(await fetch(`${url}/ready`).then((r) => r.ok, () => false))) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `the packed serve did not get ready:\n${out}`);
      await sleep(200);
    }
    const types = execFileSync(process.execPath, [bin, 'types', '--server', url], { encoding: 'utf8' });
    assert.match(types, /^webhook\s/m);
  } finally {
    child.kill('SIGTERM');
  }
});
