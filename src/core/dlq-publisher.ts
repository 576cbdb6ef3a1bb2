// Publishes dead-letter records as JSON to the strategy's MQTT topic (QoS 1, PUBACK awaited).
import mqtt, { type MqttClient } from 'mqtt';
import type { DeadLetterItem } from './runtime-port.js';
import type { SinkRecord } from '../connectors/sink.js';
import { backOffReconnects } from '../mqtt/reconnect.js';
import { payloadText } from './dead-letters.js';
import { brokerClientOptions, type BrokerSettings } from '../mqtt/client-options.js';

/** What is published to the dead-letter topic: the stored dead letter (without its local id) plus the tenant. */
export type DeadLetterMessage = Omit<DeadLetterItem, 'id'> & { tenant: string };

export function deadLetterMessage(tenant: string, connector: string, record: SinkRecord, error: string, retries: number, at: number): DeadLetterMessage {
  return {
    connector_name: connector,
    tenant,
    source_topic: record.topic,
    error_message: error,
    retry_times: retries,
    ...payloadText(record.payload),
    qos: record.qos,
    retain: record.retain,
    original_timestamp: record.timestamp,
    dead_letter_timestamp: at,
  };
}

export interface DeadLetterPublisher {
  publish(topic: string, message: DeadLetterMessage): Promise<void>;
  close(): Promise<void>;
}

export class MqttDeadLetterPublisher implements DeadLetterPublisher {
  private client?: MqttClient;

  /** `clientId`: stable per Sluice instance, unique across instances (see client-identity.ts) */
  constructor(
    private readonly broker: BrokerSettings,
    private readonly clientId: string,
  ) {
    // connected from the start: its connection state is also what /ready reports for the broker
    this.connection();
  }

  connected(): boolean {
    return this.client?.connected ?? false;
  }

  private connection(): MqttClient {
    if (!this.client) {
      this.client = mqtt.connect(this.broker.url, { ...brokerClientOptions(this.broker, this.clientId, true), queueQoSZero: false });
      this.client.on('error', () => undefined);
      backOffReconnects(this.client);
    }
    return this.client;
  }

  async publish(topic: string, message: DeadLetterMessage): Promise<void> {
    const c = this.connection();
    if (!c.connected) await waitConnected(c, 5000);
    await c.publishAsync(topic, JSON.stringify(message), { qos: 1 });
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.endAsync(true).catch(() => undefined);
  }
}

function waitConnected(c: MqttClient, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      c.off('connect', onConnect);
      reject(new Error('dead-letter publisher is not connected to the broker'));
    }, ms);
    const onConnect = () => {
      clearTimeout(t);
      resolve();
    };
    c.once('connect', onConnect);
  });
}
