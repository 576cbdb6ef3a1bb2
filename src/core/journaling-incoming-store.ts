// mqtt.js's incoming store for a source session, which makes QoS 2 lossless: mqtt.js puts an
// incoming QoS 2 PUBLISH here and answers PUBREC once `put` calls back; this store journals the
// message in `put` before it calls back, and the source holds the socket (corked) until the
// journal's group commits, so the PUBREC written on the callback leaves only after the commit. A PUBLISH whose packet id is already received (a resend) is acknowledged
// again without a second journal entry. On PUBREL mqtt.js asks `get`: a held id hands back a
// marker packet, which mqtt.js passes to the source's handleMessage (the only QoS 2 packet that
// ever reaches it), where the id is released before PUBCOMP goes out.
import { Readable } from 'node:stream';
import type { IPublishPacket, IStore } from 'mqtt';
import type { Qos2Receipts } from './qos2-receipts.js';

type Packet = Parameters<IStore['put']>[0];
type PacketCallback = Parameters<IStore['del']>[1];

export interface IncomingHooks {
  receipts: Qos2Receipts;
  /** journals a new QoS 2 message: 'ok' (durable after the group commit) or 'full' (no PUBREC) */
  journal(packet: IPublishPacket): 'ok' | 'full';
  /** holds what is written to the socket from now on until the journal's open group commits */
  holdAcks(): void;
}

export class JournalingIncomingStore implements IStore {
  constructor(private readonly hooks: IncomingHooks) {}

  put(packet: Packet, cb: (error?: Error) => void): this {
    const p = packet as IPublishPacket;
    const id = p.messageId;
    if (p.cmd !== 'publish' || id === undefined) {
      cb();
      return this;
    }
    const { receipts } = this.hooks;
    if (receipts.has(id)) {
      // a resend: journaled before, possibly in the group still open
      this.hooks.holdAcks();
      cb();
      return this;
    }
    if (this.hooks.journal(p) === 'ok') {
      receipts.add(id);
      this.hooks.holdAcks();
      cb();
    }
    // 'full': no callback, so no PUBREC; the source drops the connection and the broker resends
    return this;
  }

  get(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const id = packet.messageId;
    if (id !== undefined && this.hooks.receipts.has(id)) {
      const marker: IPublishPacket = { cmd: 'publish', messageId: id, qos: 2, dup: false, retain: false, topic: '', payload: Buffer.alloc(0) };
      cb(undefined, marker);
    } else cb(new Error(`no QoS 2 message ${String(id)} held`));
    return this;
  }

  del(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    // released in handleMessage, before PUBCOMP; nothing else to forget here
    cb(undefined, packet as Packet);
    return this;
  }

  createStream(): ReturnType<IStore['createStream']> {
    return Readable.from([], { objectMode: true }) as unknown as ReturnType<IStore['createStream']>;
  }

  close(cb: (error?: Error) => void): void {
    cb();
  }
}
