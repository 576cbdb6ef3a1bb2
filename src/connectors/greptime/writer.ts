// The write of a batch of lines to GreptimeDB's InfluxDB-compatible API:
// `POST /v1/influxdb/api/v2/write?db=<database>&precision=<p>` with `Authorization: token
// user:password` (never in the URL), on the influxdb sink's HTTP plumbing (HttpWriter).
// Probe: `GET /health`, then an EMPTY write with the credentials (401 for wrong ones).
import type { GreptimeConfig } from '../../metadata/configs/greptime.js';
import { HttpWriter, type InfluxWriter } from '../influxdb/writers.js';
import { SinkError } from '../sink.js';
import { greptimeError } from './errors.js';
import { precisionOf } from './mapping.js';

export const WRITE_PATH = '/v1/influxdb/api/v2/write';

export class GreptimeWriter extends HttpWriter implements InfluxWriter {
  constructor(private readonly cfg: GreptimeConfig) {
    super({ server: /^https?:\/\//i.test(cfg.server_addr) ? cfg.server_addr : `http://${cfg.server_addr}`, timeout_secs: cfg.timeout_secs, label: 'greptime' });
  }

  private headers(): Record<string, string> {
    if (this.cfg.user === '' && this.cfg.password === '') return {};
    return { authorization: `token ${this.cfg.user}:${this.cfg.password}` };
  }

  private writeUrl(): string {
    return this.url(WRITE_PATH, { db: this.cfg.database, precision: precisionOf(this.cfg) });
  }

  async probe(): Promise<void> {
    const health = await this.reach('/health');
    if (health >= 300) throw new Error(`greptime sink: ${this.target}/health answered HTTP ${health}: is this a GreptimeDB HTTP address?`);
    await this.emptyWrite(this.writeUrl(), this.headers(), {
      credentials: this.cfg.user ? `user ${JSON.stringify(this.cfg.user)}: check user and password` : 'a write without credentials: set user and password',
      missing: `database ${JSON.stringify(this.cfg.database)} not found on ${this.target}: create it or fix database`,
    });
  }

  async write(lines: readonly string[]): Promise<void> {
    const where = `write to ${this.target} (database ${JSON.stringify(this.cfg.database)})`;
    try {
      await this.postLines(this.writeUrl(), this.headers(), lines, where, 'user and password');
    } catch (e) {
      throw e instanceof SinkError ? greptimeError(e) : e;
    }
  }
}
