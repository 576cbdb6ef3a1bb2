// What a GreptimeDB answer means, by the contract's rule: the influxdb sink's classification
// (../influxdb/errors.ts: 401/403/404/5xx and no answer unavailable, 408/429 retriable, other
// 4xx permanent and bisected), with one change: GreptimeDB names a missing database in a 400,
// which no record is at fault for, so that is unavailable (creating the database fixes it).
import { SinkError } from '../sink.js';

const MISSING_DATABASE = /database.{0,80}(not (be )?found|does not exist|not exist)|unknown database/i;

export function greptimeError(err: SinkError): SinkError {
  if (err.kind === 'permanent' && MISSING_DATABASE.test(err.message)) return SinkError.unavailable(`${err.message} (create the database, or fix database)`);
  return err;
}
