// A connector's source on the embedded broker: a session in the broker's own process. Each
// message is journaled synchronously and acknowledged to the broker after the journal group
// commits, which is when the publisher gets its PUBACK (see embedded-broker.ts). A full journal
// leaves the message with the session, which holds it and everything after it until there is
// room; the publisher waits for its acknowledgement meanwhile.
import type { Delivery, InProcessBroker, InProcessSession, SessionConsumer } from '../mqtt/in-process-broker.js';
import type { MqttSource, SourceOptions } from './mqtt-source.js';

export class EmbeddedSource implements MqttSource, SessionConsumer {
  private session?: InProcessSession;
  private full = false;
  private roomTimer?: NodeJS.Timeout;
  connected = false;
  lastError: string | null = null;
  lastErrorAt: number | null = null;

  constructor(
    private readonly o: SourceOptions,
    private readonly broker: InProcessBroker,
  ) {}

  get journalFull(): boolean {
    return this.full;
  }

  start(): void {
    this.session = this.broker.attach(this.o.clientId, this.o.topicFilter, this.o.qos, this);
    this.connected = true;
    if (!this.session.drain()) this.enterFull();
  }

  deliver(d: Delivery): 'ok' | 'full' {
    if (this.full) return 'full';
    let taken: 'ok' | 'full';
    try {
      taken = this.o.onMessage({ ...d.message });
    } catch (e) {
      this.fail(`journal append failed: ${(e as Error).message}`);
      taken = 'full';
    }
    if (taken === 'full') {
      this.enterFull();
      return 'full';
    }
    this.o.afterCommit((err) => {
      if (!err) return d.ack();
      this.fail(`journal commit failed: ${err.message}`);
      // the publisher is not acknowledged; its connection is dropped so that it resends
      d.fail();
    });
    return 'ok';
  }

  dropped(n: number): void {
    this.o.countDropped(n);
    this.o.log('warn', 'journal full: QoS 0 messages discarded', { count: n, reason: 'journal_full' });
  }

  private fail(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
    this.o.log('error', message);
  }

  private enterFull(): void {
    if (this.full) return;
    this.full = true;
    // full again while draining: the timer that drained keeps polling
    if (this.roomTimer) return;
    this.o.log('warn', 'journal full: stopped taking messages until the sink catches up');
    this.roomTimer = setInterval(() => {
      if (!this.session || !this.o.hasRoom()) return;
      this.full = false;
      if (!this.session.drain()) return;
      clearInterval(this.roomTimer);
      this.roomTimer = undefined;
      this.o.log('info', 'journal has room again: taking messages');
    }, 200);
  }

  async stop(): Promise<void> {
    if (this.roomTimer) clearInterval(this.roomTimer);
    this.roomTimer = undefined;
    this.session?.detach();
    this.session = undefined;
    this.connected = false;
    this.o.commitNow();
  }
}
