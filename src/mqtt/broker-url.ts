// MQTT broker URLs: the schemes Sluice speaks, their default ports and the TLS variant of each.
export const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443 };
export const TLS_SCHEME_OF: Readonly<Record<string, string>> = { 'mqtt:': 'mqtts:', 'ws:': 'wss:' };

export const isTlsScheme = (protocol: string): boolean => protocol === 'mqtts:' || protocol === 'wss:';
