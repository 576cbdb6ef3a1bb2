// The ioredis client for a mode. The sink never retries a command (sink.ts's contract): no
// offline queue, no resend after a reconnect, no retry per request; a lost connection fails the
// commands on it, and ioredis reconnects in the background with a capped backoff so that the
// core's next attempt finds the server again.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../metadata/configs/redis.js';

export type RedisClient = Redis | Cluster;

export interface HostPort {
  host: string;
  port: number;
}

export function parseServers(server: string): HostPort[] {
  return server.split(',').map((s) => {
    const t = s.trim();
    const cut = t.lastIndexOf(':');
    const host = t.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
    return { host, port: Number(t.slice(cut + 1)) };
  });
}

const reconnectDelay = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 5), 2000);

function commonOptions(cfg: RedisConfig): RedisOptions {
  return {
    username: cfg.username,
    password: cfg.password,
    connectTimeout: cfg.connect_timeout_ms,
    commandTimeout: cfg.connect_timeout_ms,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    connectionName: 'sluice',
    ...(cfg.tls_enabled ? { tls: {} } : {}),
  };
}

/** A client that connects on `connect()`; `where` names the servers for messages. */
export function createRedisClient(cfg: RedisConfig): RedisClient {
  const servers = parseServers(cfg.server);
  if (cfg.mode === 'cluster') {
    const options: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: commonOptions(cfg),
      slotsRefreshTimeout: cfg.connect_timeout_ms,
    };
    return new Cluster(servers, options);
  }
  const base: RedisOptions = { ...commonOptions(cfg), db: cfg.database, lazyConnect: true, enableOfflineQueue: false, retryStrategy: reconnectDelay };
  if (cfg.mode === 'sentinel') {
    return new Redis({ ...base, sentinels: servers, name: cfg.sentinel_master_name, role: 'master', sentinelRetryStrategy: reconnectDelay, sentinelCommandTimeout: cfg.connect_timeout_ms });
  }
  const [first] = servers as [HostPort];
  return new Redis({ ...base, host: first.host, port: first.port });
}
