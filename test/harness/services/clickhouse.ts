// ClickHouse (Debian 18.16) with a copy of the packaged config whose paths and
// ports point at a temp dir and free loopback ports.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineService, ensureInstalled, exists, freePort, httpOk, makeTempDir, managed, spawnServer, waitUntil,
  type RunningService, type StartOptions,
} from './common.js';

const ETC = '/etc/clickhouse-server';

/** [command, leading args]: `clickhouse-server` or the multi-call `clickhouse server`. */
async function locate(): Promise<[string, string[]] | undefined> {
  if (!(await exists(join(ETC, 'config.xml')))) return undefined;
  for (const p of ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server']) {
    if (await exists(p)) return [p, []];
  }
  if (await exists('/usr/bin/clickhouse')) return ['/usr/bin/clickhouse', ['server']];
  return undefined;
}

function setTag(xml: string, tag: string, value: string): string {
  const re = new RegExp(`<${tag}>[^<]*</${tag}>`, 'g');
  return re.test(xml) ? xml.replace(re, `<${tag}>${value}</${tag}>`) : xml.replace(/<\/(yandex|clickhouse)>\s*$/, `    <${tag}>${value}</${tag}>\n</$1>\n`);
}

const dropTag = (xml: string, tag: string): string => xml.replace(new RegExp(`<${tag}>[^<]*</${tag}>`, 'g'), '');

export async function startClickHouse(opts: StartOptions = {}): Promise<RunningService> {
  const [bin, lead] = await ensureInstalled('clickhouse', locate);
  const httpPort = opts.port ?? (await freePort());
  const tcpPort = await freePort();
  const interserverPort = await freePort();
  const dir = await makeTempDir('clickhouse');
  const data = join(dir, 'data');
  await mkdir(join(data, 'tmp'), { recursive: true });
  await mkdir(join(data, 'user_files'), { recursive: true });
  await mkdir(join(data, 'format_schemas'), { recursive: true });

  let xml = await readFile(join(ETC, 'config.xml'), 'utf8');
  xml = xml.replace(/<listen_host>[^<]*<\/listen_host>/g, '');
  for (const [tag, value] of [
    ['http_port', String(httpPort)],
    ['tcp_port', String(tcpPort)],
    ['interserver_http_port', String(interserverPort)],
    ['listen_host', '127.0.0.1'],
    ['path', `${data}/`],
    ['tmp_path', `${data}/tmp/`],
    ['user_files_path', `${data}/user_files/`],
    ['format_schema_path', `${data}/format_schemas/`],
    ['log', join(dir, 'clickhouse-server.log')],
    ['errorlog', join(dir, 'clickhouse-server.err.log')],
    ['level', 'information'],
    ['users_config', join(dir, 'users.xml')],
    ['mark_cache_size', String(256 * 1024 * 1024)],
  ] as const) {
    // <path> also names a ZooKeeper path inside <distributed_ddl>: only touch the top-level one.
    xml = tag === 'path' ? xml.replace(/<path>\/var\/lib\/clickhouse\/<\/path>/, `<path>${data}/</path>`) : setTag(xml, tag, value);
  }
  for (const tag of ['https_port', 'tcp_port_secure', 'mysql_port', 'postgresql_port', 'interserver_https_port', 'grpc_port']) {
    xml = dropTag(xml, tag);
  }
  if (!xml.includes(`<path>${data}/</path>`)) xml = setTag(xml, 'path', `${data}/`);
  const conf = join(dir, 'config.xml');
  await writeFile(conf, xml);
  await copyFile(join(ETC, 'users.xml'), join(dir, 'users.xml'));
  const logFile = join(dir, 'stdout.log');
  const errLog = join(dir, 'clickhouse-server.err.log');

  const url = `http://127.0.0.1:${httpPort}`;
  const launch = async () => {
    const proc = spawnServer(bin, [...lead, `--config-file=${conf}`], logFile);
    await waitUntil(`clickhouse on ${url}`, proc, () => httpOk(`${url}/ping`, 'Ok.'), {
      timeoutMs: 60_000, intervalMs: 200, logFiles: [errLog],
    });
    return proc;
  };
  return managed('clickhouse', dir, {
    SLUICE_TEST_CLICKHOUSE_URL: url,
    SLUICE_TEST_CLICKHOUSE_TCP_PORT: String(tcpPort),
  }, launch, 20_000);
}

export const service = defineService('clickhouse', startClickHouse);
