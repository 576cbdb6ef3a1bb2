// The MongoDB sink: one MongoClient (its own pool, reconnecting by itself); a batch is one
// insertMany of the mapped documents (mapping.ts), unordered unless `ordered_insert`. Each
// per-document write error is that record's outcome: a duplicate `_id` means an earlier delivery
// stored it (written; when the server does not name the key, the `_id` is looked up), the others
// are classified in errors.ts. An ordered insert stops at the first refused document: after a
// duplicate `_id` the sink goes on with the rest (nothing is sent twice), after another refusal
// the rest are reported as not written and sent again by the core, behind the refused one. The
// driver's own retries are off: the core owns retrying.
import { BSON, type Collection, MongoBulkWriteError, MongoClient, type MongoClientOptions, type WriteConcernSettings, type WriteError } from 'mongodb';
import type { MongodbConfig } from '../../metadata/configs/mongodb.js';
import { batchResult, mapBatch } from '../batch-mapping.js';
import { notStarted, SinkError, startFailure, type BatchResult, type ConnectorSink, type SinkContext, type SinkRecord } from '../sink.js';
import { batchError, describeMongoError, duplicateKeyOn, hintFor, writeErrorKind, writeErrorMessage } from './errors.js';
import { type MqttDocument, toDocument } from './mapping.js';

/** MongoDB's (and FerretDB's) largest document */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

export function createMongodbSink(config: MongodbConfig, ctx: SinkContext): ConnectorSink {
  return new MongodbSink(config, ctx);
}

/** `host` with `port` added to every seed that names none: the URI's host list. */
export function seedList(host: string, port: number): string {
  return host.split(',').map((s) => s.trim()).map((s) => (/(^[^:[\]]+|\]):[0-9]+$/.test(s) ? s : `${s}:${port}`)).join(',');
}

export function clientOptions(cfg: MongodbConfig, appName: string): MongoClientOptions {
  const w: WriteConcernSettings['w'] = cfg.w === 'majority' ? 'majority' : Number(cfg.w);
  const o: MongoClientOptions = {
    appName,
    directConnection: cfg.deployment_mode === 'single',
    maxPoolSize: cfg.max_pool_size,
    minPoolSize: cfg.min_pool_size,
    connectTimeoutMS: cfg.connect_timeout_secs * 1000,
    serverSelectionTimeoutMS: cfg.server_selection_timeout_secs * 1000,
    socketTimeoutMS: cfg.socket_timeout_secs * 1000,
    // the core retries (and the _id makes a repeat harmless); the driver writes once
    retryWrites: false,
    retryReads: false,
    writeConcern: { w },
  };
  if (cfg.deployment_mode === 'replicaset' && cfg.replica_set_name !== undefined) o.replicaSet = cfg.replica_set_name;
  if (cfg.username !== undefined) {
    o.auth = { username: cfg.username, password: cfg.password ?? '' };
    o.authSource = cfg.auth_source ?? 'admin';
  }
  if (cfg.enable_tls) {
    o.tls = true;
    if (cfg.tls_ca !== undefined) o.ca = cfg.tls_ca;
    if (cfg.tls_cert !== undefined) o.cert = cfg.tls_cert;
    if (cfg.tls_key !== undefined) o.key = cfg.tls_key;
    if (cfg.tls_insecure_skip_verify) o.tlsInsecure = true;
  }
  return o;
}

class MongodbSink implements ConnectorSink {
  private client?: MongoClient;
  private collection?: Collection<MqttDocument>;
  /** seeds, database and collection, for messages (no credentials) */
  private readonly where: string;

  constructor(
    private readonly cfg: MongodbConfig,
    private readonly ctx: SinkContext,
  ) {
    this.where = `${seedList(cfg.host, cfg.port)}/${cfg.database}.${cfg.collection}`;
  }

  async validate(): Promise<void> {
    const client = await this.connect().catch((e: unknown) => {
      throw new Error(e instanceof Error ? e.message : String(e));
    });
    await client.close().catch(() => undefined);
  }

  async init(): Promise<void> {
    if (this.client) return;
    const client = await this.connect();
    this.client = client;
    this.collection = client.db(this.cfg.database).collection<MqttDocument>(this.cfg.collection);
    this.ctx.log('info', 'mongodb sink ready', { target: this.where, ordered: this.cfg.ordered_insert, w: this.cfg.w });
  }

  async sendBatch(records: SinkRecord[]): Promise<BatchResult> {
    const collection = this.collection;
    if (!collection) throw notStarted('mongodb');
    const batch = mapBatch(records, (r) => {
      const doc = toDocument(r);
      const bytes = BSON.calculateObjectSize(doc);
      return bytes > MAX_DOCUMENT_BYTES ? { error: `the document of ${bytes} bytes is larger than MongoDB's ${MAX_DOCUMENT_BYTES} bytes` } : doc;
    }, 'mongodb');
    if (batch.items.length === 0) return batchResult(batch);
    return batchResult(batch, this.cfg.ordered_insert ? await this.insertOrdered(collection, batch.items) : await this.insert(collection, batch.items));
  }

  async cleanup(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.collection = undefined;
    await client?.close().catch(() => undefined);
  }

  /** One unordered insertMany: every document the server can take is stored. */
  private async insert(collection: Collection<MqttDocument>, docs: MqttDocument[]): Promise<BatchResult['failed']> {
    try {
      await collection.insertMany(docs, { ordered: false });
      return [];
    } catch (e) {
      const { errs, concern, inserted } = this.bulkProblem(e);
      const stored = await this.alreadyStored(collection, docs, errs);
      const failed: BatchResult['failed'] = [];
      const refused = new Set(errs.map((we) => we.index));
      for (const we of errs) if (!stored.has(we.index)) failed.push({ index: we.index, error: this.documentError(we) });
      let doubt = concern === undefined ? undefined : `write concern w=${this.cfg.w} not met: ${concern}`;
      if (doubt === undefined && inserted + errs.length !== docs.length) doubt = `the server answered ${inserted} inserted and ${errs.length} refused for ${docs.length} documents`;
      if (doubt !== undefined) {
        // not known to be stored as asked: sent again by the core (a repeat is a duplicate `_id`)
        const err = SinkError.unavailable(`mongodb: ${this.where}: ${doubt}`);
        docs.forEach((_, index) => {
          if (!refused.has(index)) failed.push({ index, error: err });
        });
      }
      return failed;
    }
  }

  /**
   * Ordered inserts: the server stops at the first document it refuses. A duplicate `_id` there is
   * an earlier delivery: the stored ones are looked up, passed over, and the rest inserted. Any
   * other refusal is that record's failure, and the documents after it were not attempted.
   */
  private async insertOrdered(collection: Collection<MqttDocument>, docs: MqttDocument[]): Promise<BatchResult['failed']> {
    let pending = docs.map((_, i) => i);
    while (pending.length > 0) {
      try {
        await collection.insertMany(pending.map((i) => docs[i] as MqttDocument), { ordered: true });
        return [];
      } catch (e) {
        const { errs, concern } = this.bulkProblem(e);
        if (concern !== undefined) throw SinkError.unavailable(`mongodb: ${this.where}: write concern w=${this.cfg.w} not met: ${concern}`);
        const we = errs[0] as WriteError;
        const rest = pending.slice(we.index);
        const stopped = rest[0];
        if (stopped === undefined) throw batchError(e, this.where);
        if (duplicateKeyOn(we) === '_id' || duplicateKeyOn(we) === 'unknown') {
          const stored = await this.storedIds(collection, rest.map((i) => (docs[i] as MqttDocument)._id));
          if (stored.has((docs[stopped] as MqttDocument)._id)) {
            pending = rest.filter((i) => !stored.has((docs[i] as MqttDocument)._id));
            continue;
          }
        }
        const notAttempted = SinkError.unavailable(`mongodb: not inserted: the ordered insert into ${this.where} stopped at an earlier document (${we.errmsg ?? we.code})`);
        return [{ index: stopped, error: this.documentError(we) }, ...rest.slice(1).map((index) => ({ index, error: notAttempted }))];
      }
    }
    return [];
  }

  /** The per-document errors of a bulk write; a failure of the whole command is thrown as the batch's. */
  private bulkProblem(e: unknown): { errs: WriteError[]; concern?: string; inserted: number } {
    if (!(e instanceof MongoBulkWriteError)) throw batchError(e, this.where);
    const errs = writeErrors(e);
    const concern = writeConcernProblem(e);
    // e.g. `Unauthorized`: the command was refused, no document was looked at
    if (errs.length === 0 && concern === undefined) throw batchError(e, this.where);
    return { errs, concern, inserted: e.insertedCount };
  }

  /** The indexes (into `docs`) whose duplicate key is their own `_id`: stored by an earlier delivery. */
  private async alreadyStored(collection: Collection<MqttDocument>, docs: readonly MqttDocument[], errs: readonly WriteError[]): Promise<Set<number>> {
    const out = new Set<number>();
    const unsure: WriteError[] = [];
    for (const we of errs) {
      const on = duplicateKeyOn(we);
      if (on === '_id') out.add(we.index);
      else if (on === 'unknown') unsure.push(we);
    }
    if (unsure.length > 0) {
      const stored = await this.storedIds(collection, unsure.map((we) => (docs[we.index] as MqttDocument)._id));
      for (const we of unsure) if (stored.has((docs[we.index] as MqttDocument)._id)) out.add(we.index);
    }
    return out;
  }

  /** Which of these `_id`s the collection holds (one query). */
  private async storedIds(collection: Collection<MqttDocument>, ids: readonly string[]): Promise<Set<string>> {
    try {
      const found = await collection.find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } }).toArray();
      return new Set(found.map((d) => d._id));
    } catch (e) {
      throw batchError(e, this.where);
    }
  }

  private documentError(we: WriteError): SinkError {
    return new SinkError(writeErrorMessage(we, this.where), writeErrorKind(we));
  }

  private async connect(): Promise<MongoClient> {
    const uri = `mongodb://${seedList(this.cfg.host, this.cfg.port)}/`;
    const client = new MongoClient(uri, clientOptions(this.cfg, `sluice ${this.ctx.connectorName}`.slice(0, 128)));
    try {
      await client.connect();
      // connect() authenticates; a ping proves the server answers commands
      await client.db(this.cfg.database).command({ ping: 1 });
      return client;
    } catch (e) {
      await client.close().catch(() => undefined);
      const who = this.cfg.username === undefined ? '' : ` as "${this.cfg.username}" (auth_source ${this.cfg.auth_source ?? 'admin'})`;
      throw startFailure(SinkError.unavailable(`mongodb: cannot connect to ${this.where}${who}: ${describeMongoError(e)}${hintFor(e)}`));
    }
  }
}

function writeErrors(e: MongoBulkWriteError): WriteError[] {
  const w = e.writeErrors as WriteError | WriteError[] | undefined;
  if (w === undefined) return [];
  return Array.isArray(w) ? w : [w];
}

/** The write concern error of a bulk write, when the server reported one. */
function writeConcernProblem(e: MongoBulkWriteError): string | undefined {
  const wce = e.result?.getWriteConcernError?.();
  if (!wce) return undefined;
  return `${wce.errmsg ?? 'write concern error'} [${wce.code ?? '?'}]`;
}
