// `connector create --wait`: polls the status until the connector runs, or fails with its last error.
import type { ConnectorStatus } from './api-types.js';
import { ServerError } from './cli-errors.js';
import { connectorPath } from './client-options.js';
import type { ApiClient } from './http-client.js';

const POLL_MS = 250;

/** Thrown when the connector is stored but does not run: exit 1 with the reason. */
export class NotRunningError extends Error {
  override readonly name = 'NotRunningError';
}

export async function waitUntilRunning(client: ApiClient, tenant: string, name: string, timeoutMs: number): Promise<ConnectorStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ConnectorStatus | undefined;
  for (;;) {
    try {
      last = await client.get<ConnectorStatus>(connectorPath(name, '/status'), { tenant });
      if (last.state === 'running') return last;
    } catch (e) {
      // a server without a runtime answers 503: the connector can never run there
      if (!(e instanceof ServerError) || e.status !== 503) throw e;
      throw new NotRunningError(`connector ${tenant}/${name} is stored, but the server runs no connectors: ${e.message}`);
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
  const seconds = Math.round(timeoutMs / 100) / 10;
  const why = last?.last_error ? `; last error: ${last.last_error}` : '';
  throw new NotRunningError(
    `connector ${tenant}/${name} did not reach running within ${seconds}s (state ${last?.state ?? 'unknown'}${why}); it is stored: fix it with \`sluice connector update ${name}\` or remove it with \`sluice connector delete ${name}\``,
  );
}
