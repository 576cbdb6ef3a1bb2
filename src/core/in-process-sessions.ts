// The embedded broker's sessions for Sluice's own connectors. A publish is offered to every
// session whose filter matches (one member per share group, in turn) and its `done` runs once
// each of them has acknowledged it, that is, once it is in each connector's journal. A session
// whose consumer is full or away (restart, update) holds what arrives, in order: QoS 1/2 until
// taken (the publisher waits for its PUBACK meanwhile), QoS 0 up to a bound, beyond which it is
// dropped and counted.
import type { Delivery, InProcessBroker, InProcessMessage, InProcessSession, SessionConsumer } from '../mqtt/in-process-broker.js';
import { parseFilter, topicMatches } from '../mqtt/topic-filter.js';

/** QoS 0 messages one session holds while it cannot deliver (no publisher waits for them) */
const MAX_HELD_QOS0 = 10_000;

class Session implements InProcessSession {
  filter = '';
  group?: string;
  qos: 0 | 1 | 2 = 1;
  consumer?: SessionConsumer;
  private readonly held: Delivery[] = [];
  private heldQos0 = 0;
  private droppedQos0 = 0;

  constructor(readonly clientId: string) {}

  subscribe(raw: string, qos: 0 | 1 | 2): void {
    const p = parseFilter(raw);
    this.filter = p.filter;
    this.group = p.group;
    this.qos = qos;
  }

  offer(d: Delivery): void {
    const c = this.consumer;
    if (c && this.held.length === 0 && c.deliver(d) === 'ok') return;
    if (d.message.qos === 0) {
      if (this.heldQos0 >= MAX_HELD_QOS0) {
        d.ack();
        this.droppedQos0 += 1;
        this.reportDrops();
        return;
      }
      this.heldQos0 += 1;
    }
    this.held.push(d);
  }

  drain(): boolean {
    this.reportDrops();
    const c = this.consumer;
    while (c && this.held.length > 0) {
      const d = this.held[0] as Delivery;
      if (c.deliver(d) === 'full') return false;
      this.held.shift();
      if (d.message.qos === 0) this.heldQos0 -= 1;
    }
    return this.held.length === 0;
  }

  detach(): void {
    this.consumer = undefined;
  }

  /** acknowledges everything held (the session's connector is gone) */
  release(): void {
    for (const d of this.held.splice(0)) d.ack();
    this.heldQos0 = 0;
  }

  private reportDrops(): void {
    if (this.droppedQos0 === 0 || !this.consumer) return;
    this.consumer.dropped(this.droppedQos0);
    this.droppedQos0 = 0;
  }
}

export class SessionRegistry implements InProcessBroker {
  private readonly sessions = new Map<string, Session>();
  /** round-robin position per share group (`<group>\0<filter>`) */
  private readonly turns = new Map<string, number>();

  attach(clientId: string, filter: string, qos: 0 | 1 | 2, consumer: SessionConsumer): InProcessSession {
    let s = this.sessions.get(clientId);
    if (!s) {
      s = new Session(clientId);
      this.sessions.set(clientId, s);
    }
    s.subscribe(filter, qos);
    s.consumer = consumer;
    return s;
  }

  discard(clientId: string): void {
    const s = this.sessions.get(clientId);
    if (!s) return;
    this.sessions.delete(clientId);
    s.release();
  }

  /**
   * Offers one published message to every matching session; `done` runs when all of them have
   * taken it (`ok`), or at once when one of them failed it (`ok` false: the publisher must not
   * be acknowledged).
   */
  dispatch(m: InProcessMessage, done: (ok: boolean) => void): void {
    const targets = this.matching(m.topic);
    let open = targets.length + 1;
    let settled = false;
    const ack = (): void => {
      open -= 1;
      if (open === 0 && !settled) {
        settled = true;
        done(true);
      }
    };
    const fail = (): void => {
      if (settled) return;
      settled = true;
      done(false);
    };
    for (const s of targets) {
      const qos = Math.min(m.qos, s.qos) as 0 | 1 | 2;
      let answered = false;
      const once = (f: () => void) => () => {
        if (answered) return;
        answered = true;
        f();
      };
      s.offer({ message: { ...m, qos }, ack: once(ack), fail: once(fail) });
    }
    ack();
  }

  private matching(topic: string): Session[] {
    const out: Session[] = [];
    const groups = new Map<string, Session[]>();
    for (const s of this.sessions.values()) {
      if (!topicMatches(s.filter, topic)) continue;
      if (s.group === undefined) out.push(s);
      else {
        const key = `${s.group}\u0000${s.filter}`;
        const members = groups.get(key) ?? [];
        members.push(s);
        groups.set(key, members);
      }
    }
    for (const [key, members] of groups) {
      const turn = this.turns.get(key) ?? 0;
      out.push(members[turn % members.length] as Session);
      this.turns.set(key, turn + 1);
    }
    return out;
  }
}
