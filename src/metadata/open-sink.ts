// Builds a type's sink from a stored config: the runtime and the validate endpoint both come here,
// so every sink receives its config the same way (see sinkConfig).
import type { TObject } from 'typebox';
import type { ConnectorSink, SinkContext } from '../connectors/sink.js';
import { sinkConfig } from './config-validation.js';
import type { ConnectorType } from './connector-type.js';

export class NoRuntimeError extends Error {
  constructor(readonly type: string) {
    super(`connector type ${type} has no sink in this version`);
  }
}

export async function openSink<S extends TObject>(type: ConnectorType<S>, stored: Record<string, unknown>, ctx: SinkContext, env?: NodeJS.ProcessEnv): Promise<ConnectorSink> {
  if (!type.loadSink) throw new NoRuntimeError(type.name);
  const config = sinkConfig(type, stored, env);
  const module = await type.loadSink();
  return module.createSink(config, ctx);
}
