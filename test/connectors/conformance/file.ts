// The file sink's target: a directory on the local disk. It has no credentials and takes any
// bytes: "wrong credentials" is a path the sink cannot write (a parent that is a regular file —
// permissions are no test when the suite runs as root), "stopped" is the directory replaced by a
// regular file, and no record can be poison.
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceFixture } from './fixture.js';

export const fixture: ConformanceFixture = {
  async start() {
    const root = await mkdtemp(join(tmpdir(), 'sluice-conformance-file-'));
    const out = join(root, 'out');
    await writeFile(join(root, 'blocker'), 'a regular file where a directory should be');
    return {
      config: { local_file_path: join(out, 'records.jsonl') },
      wrongCredentials: { config: { local_file_path: join(root, 'blocker', 'records.jsonl') }, means: 'no credentials: a path under a regular file, which the sink cannot create (ENOTDIR)' },
      payload: (i) => Buffer.from(`{"n":${i}}`),
      poison: { notApplicable: 'the file takes any bytes: no record can be refused for its content' },
      async readIds() {
        const names = await readdir(out).catch(() => [] as string[]);
        const ids: string[] = [];
        for (const name of names) {
          const text = await readFile(join(out, name), 'utf8');
          for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: string }).id);
        }
        return ids;
      },
      async kill() {
        await rename(out, `${out}.away`);
        await writeFile(out, 'the directory is gone');
      },
      async start() {
        await rm(out, { force: true });
        await rename(`${out}.away`, out);
      },
      close: () => rm(root, { recursive: true, force: true }),
    };
  },
};
