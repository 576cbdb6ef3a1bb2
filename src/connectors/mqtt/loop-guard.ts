// Loop detection: a bridge whose target is Sluice's own source broker publishes back into the
// broker it reads from. The runtime tells the sink which broker the connector subscribes on; the
// validate endpoint, which has no connector, reads the environment that `sluice serve` reads
// (SLUICE_MQTT_URL, else the embedded broker's default address). Host:port are compared, with
// every local address taken as one. The sink does not know the connector's topic filter: a
// target topic equal to the source topic (no prefix, template `${topic}`) is a certain loop;
// anything else on the same broker loops only when the filter matches the rewritten topics.
import { hostname, networkInterfaces } from 'node:os';
import { isIdentity, type TopicTemplate } from './topic-template.js';

export interface SourceBroker {
  /** normalised `host:port` */
  address: string;
  /** where the address came from, for messages */
  origin: string;
  /** false when it is only the embedded broker's default address, guessed from the environment */
  certain: boolean;
}

export type LoopVerdict = { kind: 'none' } | { kind: 'refuse'; message: string } | { kind: 'warn'; message: string };

const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443, 'tcp:': 1883 };

function localNames(): Set<string> {
  const names = new Set(['localhost', '0.0.0.0', '::', '::1', hostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(i.address.toLowerCase());
  return names;
}

function normalHost(host: string, local: Set<string>): string {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return local.has(h) || /^127\./.test(h) || h.endsWith('.localhost') ? 'local' : h;
}

/** `host:port` of an MQTT URL with every address of this machine written `local`; undefined when unreadable. */
export function brokerAddress(url: string, local = localNames()): string | undefined {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : DEFAULT_PORTS[u.protocol];
    if (port === undefined || u.hostname === '') return undefined;
    return `${normalHost(u.hostname, local)}:${port}`;
  } catch {
    return undefined;
  }
}

export function sourceBrokerFromEnv(env: NodeJS.ProcessEnv, local = localNames()): SourceBroker | undefined {
  if (env.SLUICE_MQTT_URL) {
    const address = brokerAddress(env.SLUICE_MQTT_URL, local);
    return address ? { address, origin: 'SLUICE_MQTT_URL', certain: true } : undefined;
  }
  const host = env.SLUICE_EMBEDDED_BROKER_HOST || '127.0.0.1';
  const port = Number(env.SLUICE_EMBEDDED_BROKER_PORT || 1883);
  return { address: `${normalHost(host, local)}:${port}`, origin: 'the embedded broker', certain: false };
}

/** The broker the connector subscribes on (certain), else the environment's guess. */
export function sourceBroker(sourceUrl: string | undefined, env: NodeJS.ProcessEnv, local = localNames()): SourceBroker | undefined {
  if (sourceUrl === undefined) return sourceBrokerFromEnv(env, local);
  const address = brokerAddress(sourceUrl, local);
  return address ? { address, origin: 'the broker this connector subscribes on', certain: true } : undefined;
}

export function loopVerdict(targetUrl: string, template: TopicTemplate, env: NodeJS.ProcessEnv, targetLabel: string, sourceUrl?: string): LoopVerdict {
  const local = localNames();
  const source = sourceBroker(sourceUrl, env, local);
  const target = brokerAddress(targetUrl, local);
  if (!source || !target || source.address !== target) return { kind: 'none' };
  const same = `target ${targetLabel} is also Sluice's source broker (${source.origin})`;
  if (isIdentity(template)) {
    const message = `${same} and the target topic is the source topic (topic_prefix empty, topic_template \${topic}): every bridged message would be published back onto the topic it came from and received again, a loop. Set topic_prefix (e.g. "bridged/") or a topic_template outside the connector's topic filter, or bridge to another broker`;
    return source.certain ? { kind: 'refuse', message } : { kind: 'warn', message: `probably a loop: ${message}` };
  }
  const prefix = template.prefix ? `topic_prefix "${template.prefix}" ` : '';
  return {
    kind: 'warn',
    message: `${same}: the rewritten topics (${prefix}topic_template ${template.source}) are received again if the connector's topic filter matches them, a loop. Make sure it does not`,
  };
}
