// One MQTT record → one line-protocol point, exactly as the influxdb sink maps it (the shared
// PointMapper of ../influxdb/mapping.ts: JSON fields as fields, `tags` templates, `tag_fields`).
import { GREPTIME_PRECISION, type GreptimeConfig } from '../../metadata/configs/greptime.js';
import { PointMapper } from '../influxdb/mapping.js';

export type Precision = (typeof GREPTIME_PRECISION)[keyof typeof GREPTIME_PRECISION];

/** RobustMQ's `Second` … `Nanosecond` as the short form the write API and the mapper use. */
export function precisionOf(cfg: Pick<GreptimeConfig, 'precision'>): Precision {
  return GREPTIME_PRECISION[cfg.precision];
}

export function pointMapper(cfg: GreptimeConfig): PointMapper {
  return new PointMapper({ measurement: cfg.measurement, precision: precisionOf(cfg), tags: cfg.tags, tag_fields: cfg.tag_fields, sink: 'greptime' });
}
