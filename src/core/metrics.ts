// Prometheus metrics, labelled by tenant, type and connector name. Counters and gauges are read
// from the connectors' status at scrape time, so they agree with the status endpoint exactly.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckpointerHealth } from './checkpointer.js';
import { CONNECTOR_STATES } from './connector-status.js';

export interface MetricsSource {
  tenant: string;
  name: string;
  type: string;
  received: number;
  written: number;
  discarded: Record<string, number>;
  dead_lettered: number;
  filtered: number;
  retries: number;
  pending: number;
  journal_bytes: number;
  oldest_pending_age_ms: number;
  up: boolean;
  journal_full: boolean;
  state: string;
  max_journal_bytes: number;
}

/** The journal's own health, one series each (not per connector). */
export interface JournalHealthSource {
  wal_bytes: number;
  /** undefined for an in-memory journal */
  checkpoint: CheckpointerHealth | undefined;
}

export const BATCH_OUTCOMES = ['ok', 'failed'] as const;

/** the extra labels of one series and its value */
type Sample = [Record<string, string>, number];

export class RuntimeMetrics {
  readonly registry = new Registry();
  private readonly batchLatency: Histogram<'tenant' | 'type' | 'name' | 'outcome'>;

  constructor(sources: () => MetricsSource[], journal: () => JournalHealthSource = () => ({ wal_bytes: 0, checkpoint: undefined })) {
    collectDefaultMetrics({ register: this.registry, prefix: 'sluice_process_' });
    const labelNames = ['tenant', 'type', 'name'];
    const labels = (s: MetricsSource) => ({ tenant: s.tenant, type: s.type, name: s.name });
    // every metric here is read from the connectors at scrape time: a connector gives one sample
    // per series, each with its extra labels (a discard reason, a state)
    const series = (kind: 'counter' | 'gauge', name: string, help: string, extraLabels: string[], samples: (s: MetricsSource) => Sample[]) => {
      const config = { name, help, labelNames: [...labelNames, ...extraLabels], registers: [this.registry] };
      const each = (put: (l: Record<string, string>, v: number) => void) => {
        for (const s of sources()) for (const [extra, v] of samples(s)) put({ ...labels(s), ...extra }, v);
      };
      if (kind === 'counter') new Counter({ ...config, collect() { this.reset(); each((l, v) => this.inc(l, v)); } });
      else new Gauge({ ...config, collect() { this.reset(); each((l, v) => this.set(l, v)); } });
    };
    const counter = (name: string, help: string, pick: (s: MetricsSource) => number) => series('counter', name, help, [], (s) => [[{}, pick(s)]]);
    const gauge = (name: string, help: string, pick: (s: MetricsSource) => number) => series('gauge', name, help, [], (s) => [[{}, pick(s)]]);
    counter('sluice_received_total', 'Messages received from MQTT and journaled.', (s) => s.received);
    counter('sluice_written_total', 'Records the sink reported written.', (s) => s.written);
    counter('sluice_dead_lettered_total', 'Records written to the dead-letter queue.', (s) => s.dead_lettered);
    counter('sluice_filtered_total', 'Records the connector\'s transform filter dropped (never sent, on purpose).', (s) => s.filtered);
    counter('sluice_retries_total', 'Record re-sends after a failed attempt.', (s) => s.retries);
    series('counter', 'sluice_discarded_total', 'Records dropped, by reason.', ['reason'], (s) => Object.entries(s.discarded).map(([reason, n]) => [{ reason }, n]));
    gauge('sluice_pending', 'Journaled records without a terminal outcome yet (lag).', (s) => s.pending);
    gauge('sluice_journal_bytes', 'Bytes of pending records in the journal.', (s) => s.journal_bytes);
    gauge('sluice_oldest_pending_age_seconds', 'Age of the oldest pending record.', (s) => s.oldest_pending_age_ms / 1000);
    gauge('sluice_connector_up', '1 when the connector is running, else 0.', (s) => (s.up ? 1 : 0));
    gauge('sluice_journal_full', '1 while the journal is at its bound and intake is stopped.', (s) => (s.journal_full ? 1 : 0));
    gauge('sluice_journal_max_bytes', 'The bound on pending journal bytes (delivery.max_journal_bytes).', (s) => s.max_journal_bytes);
    series('gauge', 'sluice_connector_state', `1 for the state the connector is in (${CONNECTOR_STATES.join(', ')}), 0 for the others.`, ['state'], (s) =>
      CONNECTOR_STATES.map((state) => [{ state }, s.state === state ? 1 : 0]),
    );
    const journalSeries = (kind: 'counter' | 'gauge', name: string, help: string, pick: (j: JournalHealthSource) => number | undefined) => {
      const read = () => pick(journal());
      const config = { name, help, registers: [this.registry] };
      if (kind === 'counter') {
        new Counter({ ...config, collect() { this.reset(); const v = read(); if (v !== undefined) this.inc(v); } });
      } else {
        new Gauge({ ...config, collect() { this.reset(); const v = read(); if (v !== undefined) this.set(v); } });
      }
    };
    journalSeries('gauge', 'sluice_journal_wal_bytes', 'Size of the journal\'s write-ahead log file; grows without bound when checkpoints stop.', (j) => j.wal_bytes);
    journalSeries('gauge', 'sluice_journal_checkpointer_up', '1 while the journal\'s checkpoint worker runs and its last checkpoint succeeded, else 0.', (j) => (j.checkpoint ? (j.checkpoint.up && !j.checkpoint.failing ? 1 : 0) : undefined));
    journalSeries('counter', 'sluice_journal_checkpoint_failures_total', 'Failed journal checkpoints and deaths of the checkpoint worker.', (j) => j.checkpoint?.failures);
    journalSeries('counter', 'sluice_journal_checkpointer_restarts_total', 'Times the journal\'s checkpoint worker was started again after it died.', (j) => j.checkpoint?.restarts);
    this.batchLatency = new Histogram({
      name: 'sluice_batch_duration_seconds',
      help: 'Time of one sendBatch call.',
      labelNames: ['tenant', 'type', 'name', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  /** Drops a connector's histogram series (the other metrics follow the connectors at scrape time). */
  forget(tenant: string, type: string, name: string): void {
    for (const outcome of BATCH_OUTCOMES) this.batchLatency.remove({ tenant, type, name, outcome });
  }

  observeBatch(labels: { tenant: string; type: string; name: string }, outcome: (typeof BATCH_OUTCOMES)[number], seconds: number): void {
    this.batchLatency.observe({ ...labels, outcome }, seconds);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  contentType(): string {
    return this.registry.contentType;
  }
}
