// How every long-lived Sluice MQTT client reconnects: mqtt.js retries in the background, the
// period doubles after each lost connection up to a cap and resets once a CONNACK accepts.
import type { MqttClient } from 'mqtt';

export const MIN_RECONNECT_MS = 500;
export const MAX_RECONNECT_MS = 30_000;

/** The period after one more failed attempt: doubled, within [MIN_RECONNECT_MS, MAX_RECONNECT_MS]. */
export function nextReconnectPeriod(current: number | undefined): number {
  return Math.min(MAX_RECONNECT_MS, Math.max(MIN_RECONNECT_MS, (current ?? MIN_RECONNECT_MS) * 2));
}

/** Installs the capped doubling on `client` (connect resets it, close doubles it). */
export function backOffReconnects(client: MqttClient): void {
  client.on('connect', () => {
    client.options.reconnectPeriod = MIN_RECONNECT_MS;
  });
  client.on('close', () => {
    if (client.options.reconnectPeriod !== 0) client.options.reconnectPeriod = nextReconnectPeriod(client.options.reconnectPeriod);
  });
}
