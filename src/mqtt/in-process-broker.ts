// What a broker running in Sluice's own process offers its sources: a named session per
// connector (like a persistent MQTT session) that hands every matching message over in process
// and acknowledges the publisher only once every session that matched has taken it.

export interface InProcessMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** One message for one session; `ack` once it is durable, `fail` when it was lost on the way. */
export interface Delivery {
  message: InProcessMessage;
  ack(): void;
  fail(): void;
}

export interface SessionConsumer {
  /** takes the delivery ('ok', it calls ack or fail later) or cannot now ('full': the session holds it) */
  deliver(d: Delivery): 'ok' | 'full';
  /** QoS 0 messages the session could not hold while the consumer was full or away */
  dropped(n: number): void;
}

export interface InProcessSession {
  /** hands held deliveries to the consumer in order; true when none is left */
  drain(): boolean;
  detach(): void;
}

export interface InProcessBroker {
  /** attaches `consumer` to the session `clientId` (created on first use), subscribed to `filter` */
  attach(clientId: string, filter: string, qos: 0 | 1 | 2, consumer: SessionConsumer): InProcessSession;
  /** ends the session: what it holds is acknowledged (its connector is gone) */
  discard(clientId: string): void;
}
