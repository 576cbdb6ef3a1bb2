// The peer binaries of the side-by-side benchmark: built by bench/peers/build.sh from the Go
// module proxy into ${SLUICE_CACHE:-~/.cache/sluice}/peers when missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib.js';

export interface PeerBinary {
  path: string;
  version: string;
}

export interface PeerBinaries {
  telegraf: PeerBinary;
  benthos: PeerBinary;
}

// the same defaults as build.sh; both read the same variables
const TELEGRAF_VERSION = process.env.TELEGRAF_VERSION ?? 'v1.37.2';
const BENTHOS_VERSION = process.env.BENTHOS_VERSION ?? 'v4.27.0';

export function ensurePeerBinaries(): PeerBinaries {
  const cache = join(process.env.SLUICE_CACHE ?? join(homedir(), '.cache/sluice'), 'peers');
  const bins: PeerBinaries = {
    telegraf: { path: join(cache, `telegraf-${TELEGRAF_VERSION}`, 'telegraf'), version: TELEGRAF_VERSION },
    benthos: { path: join(cache, `benthos-${BENTHOS_VERSION}`, 'benthos'), version: BENTHOS_VERSION },
  };
  const missing = (Object.keys(bins) as (keyof PeerBinaries)[]).filter((k) => !existsSync(bins[k].path));
  if (missing.length) {
    console.log(`building ${missing.join(' and ')} from the Go module proxy (several minutes on 2 cores) …`);
    execFileSync('bash', [join(ROOT, 'bench/peers/build.sh'), ...missing], { stdio: 'inherit', env: { ...process.env, TELEGRAF_VERSION, BENTHOS_VERSION } });
  }
  for (const k of Object.keys(bins) as (keyof PeerBinaries)[]) {
    if (!existsSync(bins[k].path)) throw new Error(`bench/peers/build.sh did not produce ${bins[k].path}`);
  }
  return bins;
}
