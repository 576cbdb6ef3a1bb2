// SLUICE_FILE_ROOT: when set, the file sink writes only under this directory (checked when a
// definition is written, and again, after symlinks, when the sink opens). Without it, anyone who
// may create a connector could append to any file the Sluice process can write.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

export function fileRootFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SLUICE_FILE_ROOT ? resolve(env.SLUICE_FILE_ROOT) : undefined;
}

function under(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Why `path` may not be written, or undefined when it may (always, without a root). */
export function fileRootRule(path: string, root = fileRootFromEnv()): string | undefined {
  if (!root) return undefined;
  if (!isAbsolute(path)) return `must be an absolute path under SLUICE_FILE_ROOT (${root})`;
  if (!under(root, resolve(path)) || resolve(path) === root) return `must be under SLUICE_FILE_ROOT (${root})`;
  return undefined;
}

/** The nearest existing ancestor of `path`, with its symlinks followed. */
function realAncestor(path: string): string {
  let dir = path;
  for (;;) {
    try {
      return realpathSync(dir);
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return dir;
      dir = parent;
    }
  }
}

/** The same rule after symlinks: a link under the root must not lead out of it. */
export function fileRootRefusal(path: string, root = fileRootFromEnv()): string | undefined {
  const lexical = fileRootRule(path, root);
  if (lexical || !root) return lexical;
  const realRoot = realAncestor(root);
  const real = realAncestor(resolve(path));
  return under(realRoot, real) ? undefined : `leads outside SLUICE_FILE_ROOT (${root}) through a symbolic link`;
}
