// The greptime sink: the influxdb sink's LineSink (one line-protocol point per record, the
// batch in ONE write request, mapping refusals alone, permanent write errors bisected) with
// GreptimeDB's writer (writer.ts).
import type { ConnectorSink, SinkContext } from '../sink.js';
import { LineSink } from '../influxdb/sink.js';
import type { GreptimeConfig } from '../../metadata/configs/greptime.js';
import { pointMapper, precisionOf } from './mapping.js';
import { GreptimeWriter } from './writer.js';

export function createGreptimeSink(config: GreptimeConfig, ctx: SinkContext): ConnectorSink {
  return new LineSink(ctx, {
    label: 'greptime',
    mapper: pointMapper(config),
    createWriter: () => new GreptimeWriter(config),
    ready: (target) => ({ server: target, database: config.database, measurement: config.measurement, precision: precisionOf(config) }),
  });
}
