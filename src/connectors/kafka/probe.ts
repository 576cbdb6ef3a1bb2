// What the sink asks the cluster through an admin client: can we log in, does the topic exist (or
// will the brokers create it), and how large may one record batch of it be. validate() only reads;
// init() creates a missing topic when the brokers would create it anyway.
import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { SinkContext } from '../sink.js';
import type { KafkaConfig } from '../../metadata/configs/kafka.js';
import { describeKafkaError, isAuthError, protocolType } from './errors.js';

const { ConfigResourceTypes } = kafkajs;

/** used when the topic's max.message.bytes cannot be read: just under the broker default 1,048,588 */
export const DEFAULT_MAX_REQUEST_BYTES = 1_000_000;

const who = (cfg: KafkaConfig): string => (cfg.sasl_mechanism === 'none' ? '' : ` as user "${cfg.sasl_username ?? ''}"`);

/** The message for a failed admin connect: a refused login, or an unreachable cluster. */
export function connectFailure(cfg: KafkaConfig, err: unknown): string {
  if (isAuthError(err)) {
    const mech = cfg.sasl_mechanism === 'none' ? 'without SASL' : `with SASL ${cfg.sasl_mechanism}${who(cfg)}`;
    return `kafka sink: Kafka at ${cfg.bootstrap_servers} refused the login ${mech}: ${describeKafkaError(err)}`;
  }
  return `kafka sink: cannot reach Kafka at ${cfg.bootstrap_servers}: ${describeKafkaError(err)}`;
}

/** The message for a topic that does not exist, by what the brokers said about creating topics. */
export function missingTopicMessage(cfg: KafkaConfig, autoCreate: boolean | Error): string {
  const head = `kafka sink: topic "${cfg.topic}" does not exist on ${cfg.bootstrap_servers}`;
  if (autoCreate instanceof Error) return `${head} (whether the brokers create topics could not be read: ${describeKafkaError(autoCreate)}); create the topic first`;
  return `${head}, and the brokers do not create topics (auto.create.topics.enable=false); create the topic first`;
}

async function brokerAutoCreates(admin: Admin): Promise<boolean> {
  const cluster = await admin.describeCluster();
  const broker = cluster.brokers.find((b) => b.nodeId === cluster.controller) ?? cluster.brokers[0];
  if (!broker) throw new Error('the cluster reported no brokers');
  const r = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.nodeId), configNames: ['auto.create.topics.enable'] }],
    includeSynonyms: false,
  });
  const entry = r.resources[0]?.configEntries.find((c) => c.configName === 'auto.create.topics.enable');
  if (!entry) throw new Error('the broker did not report auto.create.topics.enable');
  return entry.configValue === 'true';
}

export type TopicState = 'exists' | 'will_be_created';

/**
 * Read-only: the topic exists, or it does not and the brokers create topics on first use
 * (auto.create.topics.enable=true). Anything else is a configuration error with a clear message.
 */
export async function checkTopic(admin: Admin, cfg: KafkaConfig): Promise<TopicState> {
  try {
    await admin.fetchTopicMetadata({ topics: [cfg.topic] });
    return 'exists';
  } catch (e) {
    const type = protocolType(e);
    if (type === 'LEADER_NOT_AVAILABLE') return 'exists'; // a leader is being elected
    if (type === 'TOPIC_AUTHORIZATION_FAILED') {
      throw new Error(`kafka sink: not authorized to use topic "${cfg.topic}" on ${cfg.bootstrap_servers}${who(cfg)}: ${describeKafkaError(e)}`);
    }
    if (type !== 'UNKNOWN_TOPIC_OR_PARTITION') {
      throw new Error(`kafka sink: cannot read the metadata of topic "${cfg.topic}" from ${cfg.bootstrap_servers}: ${describeKafkaError(e)}`);
    }
  }
  const autoCreate = await brokerAutoCreates(admin).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  if (autoCreate !== true) throw new Error(missingTopicMessage(cfg, autoCreate));
  return 'will_be_created';
}

/**
 * Creates a missing topic with the broker's defaults, as the brokers would on the first write
 * (checkTopic said they do), so that this first write does not fail while the topic is being set up.
 */
export async function createMissingTopic(admin: Admin, cfg: KafkaConfig, ctx: SinkContext): Promise<void> {
  try {
    const created = await admin.createTopics({ topics: [{ topic: cfg.topic }], waitForLeaders: true, timeout: cfg.message_timeout_ms });
    if (created) ctx.log('info', 'kafka topic created with the broker defaults (auto.create.topics.enable is on)', { topic: cfg.topic });
  } catch (e) {
    throw new Error(`kafka sink: topic "${cfg.topic}" does not exist on ${cfg.bootstrap_servers}, and creating it failed: ${describeKafkaError(e)}`);
  }
}

/** The topic's max.message.bytes (the broker default unless the topic overrides it), or the fallback. */
export async function topicMaxBytes(admin: Admin, cfg: KafkaConfig, ctx: SinkContext): Promise<number> {
  try {
    const r = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: cfg.topic, configNames: ['max.message.bytes'] }],
      includeSynonyms: false,
    });
    const value = Number(r.resources[0]?.configEntries.find((c) => c.configName === 'max.message.bytes')?.configValue);
    if (Number.isInteger(value) && value > 0) return value;
    throw new Error('the broker did not report it');
  } catch (e) {
    ctx.log('info', `kafka: could not read max.message.bytes of topic ${cfg.topic}; requests are kept under ${DEFAULT_MAX_REQUEST_BYTES} bytes`, { reason: describeKafkaError(e) });
    return DEFAULT_MAX_REQUEST_BYTES;
  }
}
