// Encryption at rest of secret config fields (SLUICE_SECRET_KEY, AES-256-GCM): the definition
// store keeps `sluice:enc:v1:<key id>:<iv>:<tag>:<ciphertext>` instead of the value, and reads give
// the value back. Rotation: start with the new key in SLUICE_SECRET_KEY and the old one in
// SLUICE_SECRET_KEY_PREVIOUS; every value is re-encrypted with the new key before anything runs.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { parseConnectorType } from './registry.js';
import { secretFields } from './secrets.js';

const PREFIX = 'sluice:enc:v1:';
const SEALED = /^sluice:enc:v1:([0-9a-f]{8}):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]*)$/;

export interface SecretKey {
  /** first 8 hex digits of the key's SHA-256: names the key in messages, reveals nothing */
  id: string;
  bytes: Buffer;
}

export interface SecretKeys {
  current?: SecretKey;
  previous?: SecretKey;
}

function parseKey(name: string, raw: string | undefined): SecretKey | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = raw.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (!bytes || bytes.length !== 32) throw new Error(`${name}: expected a 256-bit key as 64 hex digits or 44 base64 characters (make one with \`openssl rand -base64 32\`)`);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

export function secretKeysFromEnv(env: NodeJS.ProcessEnv = process.env): SecretKeys {
  const current = parseKey('SLUICE_SECRET_KEY', env.SLUICE_SECRET_KEY);
  const previous = parseKey('SLUICE_SECRET_KEY_PREVIOUS', env.SLUICE_SECRET_KEY_PREVIOUS);
  if (previous && !current) throw new Error('SLUICE_SECRET_KEY_PREVIOUS is set without SLUICE_SECRET_KEY: rotation needs the new key in SLUICE_SECRET_KEY');
  return { current, previous: previous && previous.id !== current?.id ? previous : undefined };
}

export function isSealed(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(PREFIX);
}

export function sealValue(plain: string, key: SecretKey): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}${key.id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
}

/** The key id a sealed value names. */
export function sealedKeyId(sealed: string): string | undefined {
  return SEALED.exec(sealed)?.[1];
}

export function openValue(sealed: string, keys: SecretKeys, where: string): string {
  const m = SEALED.exec(sealed);
  if (!m) throw new Error(`${where}: the stored value is damaged (not a sealed secret)`);
  const [, id, iv, tag, ct] = m as unknown as [string, string, string, string, string];
  const key = [keys.current, keys.previous].find((k) => k?.id === id);
  if (!key) {
    const have = [keys.current && `SLUICE_SECRET_KEY is ${keys.current.id}`, keys.previous && `SLUICE_SECRET_KEY_PREVIOUS is ${keys.previous.id}`].filter(Boolean).join(', ');
    throw new Error(`${where} is encrypted with key ${id}, ${have ? `but ${have}` : 'and SLUICE_SECRET_KEY is not set'}; start with that key in SLUICE_SECRET_KEY (or in SLUICE_SECRET_KEY_PREVIOUS while rotating)`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`${where}: the stored value does not decrypt with key ${id} (damaged)`);
  }
}

function secretNames(type: string): string[] {
  try {
    return secretFields(parseConnectorType(type).schema);
  } catch {
    return []; // a type this version does not know: nothing to seal
  }
}

/** How the store turns secret fields into their stored form and back. */
export class SecretSealer {
  constructor(readonly keys: SecretKeys) {}

  get enabled(): boolean {
    return this.keys.current !== undefined;
  }

  /** the config as stored: each non-empty secret sealed with the current key (as is without one) */
  seal(type: string, config: Record<string, unknown>): Record<string, unknown> {
    const key = this.keys.current;
    if (!key) return config;
    const out = { ...config };
    for (const f of secretNames(type)) {
      const v = out[f];
      if (typeof v === 'string' && v !== '' && !isSealed(v)) out[f] = sealValue(v, key);
    }
    return out;
  }

  /** the config as read: every sealed value opened */
  open(type: string, config: Record<string, unknown>, where: string): Record<string, unknown> {
    const out = { ...config };
    for (const [f, v] of Object.entries(out)) if (isSealed(v)) out[f] = openValue(v, this.keys, `${where} config.${f}`);
    void type;
    return out;
  }

  /**
   * The stored config as it should be stored now: sealed with the current key (plain values
   * sealed, values of the previous key re-sealed), or undefined when it already is. Throws when a
   * value cannot be opened.
   */
  restored(type: string, stored: Record<string, unknown>, where: string): Record<string, unknown> | undefined {
    const key = this.keys.current;
    const sealedFields = Object.entries(stored).filter(([, v]) => isSealed(v));
    if (!key) {
      if (sealedFields.length > 0) openValue(sealedFields[0]?.[1] as string, this.keys, `${where} config.${sealedFields[0]?.[0]}`);
      return undefined;
    }
    const plain = this.open(type, stored, where);
    const stale = sealedFields.some(([, v]) => sealedKeyId(v as string) !== key.id);
    const unsealed = secretNames(type).some((f) => typeof stored[f] === 'string' && stored[f] !== '' && !isSealed(stored[f]));
    if (!stale && !unsealed) return undefined;
    const out = this.seal(type, plain);
    for (const [f] of sealedFields) if (typeof plain[f] === 'string' && !secretNames(type).includes(f)) out[f] = sealValue(plain[f] as string, key);
    return out;
  }
}
