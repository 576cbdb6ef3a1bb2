// Service settings: from flags, then SLUICE_* environment variables, then defaults.
export interface Settings {
  dbPath: string;
  host: string;
  port: number;
  apiToken?: string;
  bodyLimit: number;
  logLevel: string;
  /** source broker; undefined = start the embedded broker */
  mqttUrl?: string;
  embeddedBrokerPort: number;
}

export const DEFAULTS = {
  dbPath: './data/sluice.db',
  host: '127.0.0.1',
  port: 8080,
  bodyLimit: 1_048_576,
  logLevel: 'info',
  embeddedBrokerPort: 1883,
};

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number, got ${JSON.stringify(raw)}`);
  return n;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<Settings> = {}): Settings {
  return {
    dbPath: overrides.dbPath ?? env.SLUICE_DB ?? DEFAULTS.dbPath,
    host: overrides.host ?? env.SLUICE_HOST ?? DEFAULTS.host,
    port: overrides.port ?? int('SLUICE_PORT', env.SLUICE_PORT, DEFAULTS.port),
    apiToken: overrides.apiToken ?? (env.SLUICE_API_TOKEN || undefined),
    bodyLimit: overrides.bodyLimit ?? int('SLUICE_BODY_LIMIT', env.SLUICE_BODY_LIMIT, DEFAULTS.bodyLimit),
    logLevel: overrides.logLevel ?? env.SLUICE_LOG_LEVEL ?? DEFAULTS.logLevel,
    mqttUrl: overrides.mqttUrl ?? (env.SLUICE_MQTT_URL || undefined),
    embeddedBrokerPort: overrides.embeddedBrokerPort ?? int('SLUICE_EMBEDDED_BROKER_PORT', env.SLUICE_EMBEDDED_BROKER_PORT, DEFAULTS.embeddedBrokerPort),
  };
}
