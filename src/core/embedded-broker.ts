// The embedded MQTT broker (aedes, MQTT 3.1.1) that `sluice serve` starts when no broker is
// configured. Its memory is lost with the process, so it must never acknowledge a message that
// is not yet in a journal: Sluice's connectors take their messages in process (see
// in-process-sessions.ts) inside aedes' authorizePublish hook, which aedes runs before it sends
// the publisher's PUBACK (QoS 1) or stores the message for PUBREC (QoS 2). Connections are
// refused until the connectors have attached (`open()`), so nothing published at start-up is
// acknowledged before a connector could take it.
import { createServer, type Server } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { SessionRegistry } from './in-process-sessions.js';

export interface EmbeddedBroker {
  url: string;
  sessions: SessionRegistry;
  /** starts accepting clients */
  open(): void;
  close(): Promise<void>;
}

type AuthorizePublish = Aedes['authorizePublish'];

interface IncomingPackets {
  incomingGetPacket(client: Client, packet: { messageId?: number }): Promise<unknown>;
}

/** `admitEarly`: client ids let in before `open()` (Sluice's own dead-letter publisher, which only publishes) */
export async function startEmbeddedBroker(host: string, port: number, admitEarly: readonly string[] = []): Promise<EmbeddedBroker> {
  const sessions = new SessionRegistry();
  let accepting = false;
  const dispatch = (packet: PublishPacket, cb: (error?: Error | null) => void): void => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    sessions.dispatch({ topic: packet.topic, payload, qos: packet.qos, retain: false }, (ok) => cb(ok ? null : new Error('a connector could not journal the message')));
  };
  const authorizePublish: AuthorizePublish = (client, packet, cb) => {
    if (packet.topic.startsWith('$SYS')) return cb(new Error('$SYS topic is reserved'));
    // a resent QoS 2 PUBLISH that aedes still holds (awaiting PUBREL) was journaled already
    if (packet.qos === 2 && packet.dup && client) {
      const store = (broker as unknown as { persistence: IncomingPackets }).persistence;
      store.incomingGetPacket(client, packet).then(() => cb(null), () => dispatch(packet, cb));
      return;
    }
    dispatch(packet, cb);
  };
  const broker = await Aedes.createBroker({
    authorizePublish,
    preConnect: (_client, packet, cb) => cb(null, accepting || admitEarly.includes(packet.clientId)),
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const realPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `mqtt://${host}:${realPort}`,
    sessions,
    open: () => {
      accepting = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
