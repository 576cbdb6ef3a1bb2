// `node --import tsx bench/profiles/summarize-cpu.ts <dir or .cpuprofile>…`: the self time of a
// V8 CPU profile (BENCH_CPU_PROF=1 writes them) summed per module and per function, as shares of
// the profile's wall time, so that two runs can be compared line by line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const short = (url: string) => url.replace(/^.*node_modules\//, 'npm:').replace(/^.*\/dist\//, 'dist/').replace(/^file:\/\//, '');
const moduleOf = (url: string): string => (url.startsWith('npm:') ? url.split('/').slice(0, 1) : url.split('/').slice(0, 3)).join('/');

export function summarize(p: CpuProfile, top = 30): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const cf = (byId.get(id) as ProfileNode).callFrame;
    const url = short(cf.url);
    const fn = `${cf.functionName || '(anonymous)'} ${url}${url ? `:${cf.lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const mod = url ? moduleOf(url) : cf.functionName;
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`)
      .join('\n');
  return `wall ${(total / 1e6).toFixed(2)} s\n-- self time by module\n${rows(byModule)}\n-- self time by function\n${rows(byFn)}`;
}

function files(arg: string): string[] {
  if (!statSync(arg).isDirectory()) return [arg];
  return readdirSync(arg).flatMap((f) => files(join(arg, f))).filter((f) => f.endsWith('.cpuprofile'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of process.argv.slice(2).flatMap(files)) {
    console.log(`== ${f}\n${summarize(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile)}\n`);
  }
}
