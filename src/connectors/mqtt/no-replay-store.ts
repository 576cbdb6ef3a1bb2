// mqtt.js's outgoing store for the bridge. mqtt.js keeps unacknowledged QoS 1/2 publishes in its
// store and sends them again after a reconnect; the bridge has already reported those records as
// failed (retriable) when the connection dropped, and the core sends them again itself. So this
// store keeps a packet only for the life of one connection and hands nothing back on reconnect.
import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';

type Packet = Parameters<IStore['put']>[0];
type PacketCallback = Parameters<IStore['del']>[1];

export class NoReplayStore implements IStore {
  private packets = new Map<number, Packet>();

  put(packet: Packet, cb: (error?: Error) => void): this {
    const id = (packet as { messageId?: number }).messageId;
    if (id !== undefined) this.packets.set(id, packet);
    cb();
    return this;
  }

  /** Called by mqtt.js on every (re)connect to replay what is stored: nothing, and forget the rest. */
  createStream(): ReturnType<IStore['createStream']> {
    this.packets = new Map();
    return Readable.from([], { objectMode: true }) as unknown as ReturnType<IStore['createStream']>;
  }

  del(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const id = packet.messageId ?? -1;
    const found = this.packets.get(id);
    this.packets.delete(id);
    // a missing packet is no error here: its publish was already reported when the connection dropped
    cb(undefined, found);
    return this;
  }

  get(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const found = this.packets.get(packet.messageId ?? -1);
    if (found) cb(undefined, found);
    else cb(new Error('missing packet'));
    return this;
  }

  close(cb: (error?: Error) => void): void {
    this.packets.clear();
    cb();
  }

  get size(): number {
    return this.packets.size;
  }
}
