// Which `${env:…}` and `${file:…}` references a connector may use. Without a rule, anyone who
// may create a connector could have Sluice send any environment variable or readable file to a
// URL of their choosing: env names must be SLUICE_SECRET_* (or listed in SLUICE_SECRET_ENV),
// files must lie under SLUICE_SECRET_DIR (after following symlinks).
import { realpathSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { SluiceError } from '../errors.js';

export interface ReferencePolicy {
  /** names allowed besides SLUICE_SECRET_* */
  envNames: ReadonlySet<string>;
  /** the only directory `${file:…}` may read from; unset: no file references */
  secretDir?: string;
}

/** Sluice's own settings that match SLUICE_SECRET_* but are never handed to a connector. */
const NEVER_REFERENCED = new Set(['SLUICE_SECRET_KEY', 'SLUICE_SECRET_KEY_PREVIOUS', 'SLUICE_SECRET_ENV', 'SLUICE_SECRET_DIR']);
const SECRET_NAME = /^SLUICE_SECRET_[A-Za-z0-9_]+$/;

export function referencePolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ReferencePolicy {
  const names = (env.SLUICE_SECRET_ENV ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  return { envNames: new Set(names), secretDir: env.SLUICE_SECRET_DIR ? resolve(env.SLUICE_SECRET_DIR) : undefined };
}

function under(dir: string, path: string): boolean {
  const root = dir.endsWith(sep) ? dir : dir + sep;
  return path.startsWith(root);
}

/** Why the reference is refused, or undefined when the policy allows it. */
export function referenceRefusal(kind: 'env' | 'file', target: string, policy: ReferencePolicy): string | undefined {
  if (kind === 'env') {
    if (NEVER_REFERENCED.has(target)) return `environment variable ${target} is Sluice's own setting and cannot be referenced`;
    if (SECRET_NAME.test(target) || policy.envNames.has(target)) return undefined;
    return `environment variable ${target} may not be referenced: only SLUICE_SECRET_* names and those listed in SLUICE_SECRET_ENV`;
  }
  if (!policy.secretDir) return `file references are off: set SLUICE_SECRET_DIR to the directory they may read from`;
  if (!isAbsolute(target)) return `file ${target}: expected an absolute path under SLUICE_SECRET_DIR (${policy.secretDir})`;
  if (!under(policy.secretDir, resolve(target))) return `file ${target} is outside SLUICE_SECRET_DIR (${policy.secretDir})`;
  return undefined;
}

/** The real path to read, checked again after symlinks are followed. */
export function resolvedFilePath(target: string, policy: ReferencePolicy): string {
  const refused = referenceRefusal('file', target, policy);
  if (refused) throw new SluiceError('SECRET_REFERENCE_UNRESOLVED', refused);
  const real = realpathSync(target);
  const dir = realpathSync(policy.secretDir as string);
  if (!under(dir, real)) throw new SluiceError('SECRET_REFERENCE_UNRESOLVED', `file ${target} leads outside SLUICE_SECRET_DIR (${policy.secretDir}) through a symbolic link`);
  return real;
}
