// S3Proxy 2.9 (the S3 API in Java; org.gaul:s3proxy and its dependencies from Maven Central, see
// scripts/services/install.sh) on a free loopback port: the jclouds filesystem backend with its
// objects in a temp dir (kept across kill and start), real SigV4/V2 authentication with one
// identity (a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId), a bounded
// heap, and one bucket created at first start.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CACHE_DIR, defineService, ensureInstalled, exists, freePort, makeTempDir, managed, spawnServer, waitUntil, which,
  type RunningService, type StartOptions,
} from './common.js';

export const S3PROXY_VERSION = process.env.SLUICE_S3PROXY_VERSION ?? '2.9.0';
export const S3PROXY_ACCESS_KEY_ID = 'sluice-test';
export const S3PROXY_SECRET_ACCESS_KEY = 's3proxy-secret-1';
export const S3PROXY_BUCKET = 'sluice-test';
export const S3PROXY_REGION = 'us-east-1';

async function locate(): Promise<string | undefined> {
  const home = join(CACHE_DIR, `s3proxy-${S3PROXY_VERSION}`);
  return (await exists(join(home, 'libs.complete'))) ? join(home, 'libs') : undefined;
}

function javaBin(): string {
  const home = process.env.JAVA_HOME;
  const bin = home ? join(home, 'bin/java') : which('java');
  if (!bin) throw new Error('s3proxy: no java on PATH (and JAVA_HOME unset); JDK 17 is required');
  return bin;
}

const LOGBACK = `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.gaul.s3proxy" level="INFO"/>
  <root level="WARN"><appender-ref ref="STDOUT"/></root>
</configuration>
`;

/** A client of the running proxy with the harness's identity. */
export function s3proxyClient(env: Record<string, string>): S3Client {
  return new S3Client({
    region: env.SLUICE_TEST_S3PROXY_REGION, endpoint: env.SLUICE_TEST_S3PROXY_URL, forcePathStyle: true, maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: env.SLUICE_TEST_S3PROXY_ACCESS_KEY_ID as string, secretAccessKey: env.SLUICE_TEST_S3PROXY_SECRET_ACCESS_KEY as string },
  });
}

export async function startS3proxy(opts: StartOptions = {}): Promise<RunningService> {
  const libs = await ensureInstalled('s3proxy', locate);
  const java = javaBin();
  const port = opts.port ?? (await freePort());
  const dir = await makeTempDir('s3proxy');
  const url = `http://127.0.0.1:${port}`;
  await mkdir(join(dir, 'blobs'), { recursive: true });
  await writeFile(join(dir, 's3proxy.conf'), [
    `s3proxy.endpoint=${url}`,
    's3proxy.authorization=aws-v2-or-v4',
    `s3proxy.identity=${S3PROXY_ACCESS_KEY_ID}`,
    `s3proxy.credential=${S3PROXY_SECRET_ACCESS_KEY}`,
    'jclouds.provider=filesystem',
    `jclouds.filesystem.basedir=${join(dir, 'blobs')}`,
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n'));
  await writeFile(join(dir, 'logback.xml'), LOGBACK);
  const heap = process.env.SLUICE_S3PROXY_JVM_OPTS?.split(/\s+/).filter(Boolean) ?? ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];
  const args = [...heap, `-Dlogback.configurationFile=${join(dir, 'logback.xml')}`, `-Djava.io.tmpdir=${dir}`, '-cp', `${libs}/*`, 'org.gaul.s3proxy.Main', '--properties', join(dir, 's3proxy.conf')];
  const env = {
    SLUICE_TEST_S3PROXY_URL: url,
    SLUICE_TEST_S3PROXY_REGION: S3PROXY_REGION,
    SLUICE_TEST_S3PROXY_ACCESS_KEY_ID: S3PROXY_ACCESS_KEY_ID,
    SLUICE_TEST_S3PROXY_SECRET_ACCESS_KEY: S3PROXY_SECRET_ACCESS_KEY,
    /** created at first start */
    SLUICE_TEST_S3PROXY_BUCKET: S3PROXY_BUCKET,
    /** where the filesystem backend keeps the objects */
    SLUICE_TEST_S3PROXY_DATA_DIR: join(dir, 'blobs'),
  };
  const logFile = join(dir, 's3proxy.log');
  let first = true;
  const launch = async () => {
    const proc = spawnServer(java, args, logFile);
    // any HTTP answer (403 for an unsigned request) means it listens
    await waitUntil(`s3proxy on ${url}`, proc, async () => (await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) })).status > 0, { timeoutMs: 60_000, intervalMs: 200 });
    if (first) {
      const client = s3proxyClient(env);
      try {
        await client.send(new CreateBucketCommand({ Bucket: S3PROXY_BUCKET }));
      } finally {
        client.destroy();
      }
      first = false;
    }
    return proc;
  };
  return managed('s3proxy', dir, env, launch);
}

export const service = defineService('s3proxy', startS3proxy);
