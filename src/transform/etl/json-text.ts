// JSON text in and out of records, bounded and exact.
// In: nesting deeper than ETL_LIMITS.maxDepth is refused before parsing (V8's JSON.parse itself
// accepts a million levels), and integers beyond 2^53 are kept as bigint instead of silently
// rounded — the common case (no long digit run anywhere) stays on the native JSON.parse.
// Out: bigint values print as their exact digits.
import { fail } from './etl-error.js';
import { ETL_LIMITS } from './limits.js';
import { isPlainObject, setOwn, type EtlRecord, type JsonValue } from './record.js';

const QUOTE = 34;
const BACKSLASH = 92;

/** The deepest nesting of `[`/`{` outside strings. Stops early once past `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Parses JSON text; throws a StepFailure for invalid JSON or nesting deeper than the limit. */
export function parseJson(text: string): JsonValue {
  const limit = ETL_LIMITS.maxDepth;
  // a text shorter than 2 × limit cannot nest deeper than limit
  if (text.length > 2 * limit && nestingDepth(text, limit) > limit) fail(`nested deeper than ${limit} levels`);
  try {
    return /\d{16}/.test(text) ? new ExactParser(text).document() : (JSON.parse(text) as JsonValue);
  } catch (e) {
    fail(`not valid JSON: ${(e as Error).message}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const SPACE = /[ \t\n\r]*/y;

/** A strict JSON parser that keeps unsafe integers as bigint. Depth is already bounded. */
class ExactParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): JsonValue {
    const v = this.value();
    this.space();
    if (this.pos !== this.text.length) this.error('unexpected text after the JSON value');
    return v;
  }

  private error(what: string): never {
    throw new SyntaxError(`${what} at position ${this.pos}`);
  }

  private space(): void {
    SPACE.lastIndex = this.pos;
    SPACE.test(this.text);
    this.pos = SPACE.lastIndex;
  }

  private value(): JsonValue {
    this.space();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [word, v] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.number();
  }

  private number(): JsonValue {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.error(this.pos >= this.text.length ? 'unexpected end of JSON input' : `unexpected character ${JSON.stringify(this.text[this.pos])}`);
    this.pos = NUMBER.lastIndex;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) this.error('unterminated string');
      if (c === BACKSLASH) i += 2;
      else if (c === QUOTE) break;
      else i++;
    }
    this.pos = i + 1;
    return JSON.parse(this.text.slice(start, i + 1)) as string;
  }

  private expect(ch: string): void {
    this.space();
    if (this.text[this.pos] !== ch) this.error(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  private array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else return this.expect(']'), out;
    }
  }

  private object(): { [key: string]: JsonValue } {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.error('expected a property name');
      const key = this.string();
      this.expect(':');
      setOwn(out, key, this.value());
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else return this.expect('}'), out;
    }
  }
}

const LITERALS: ReadonlyArray<readonly [string, JsonValue]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];

/** JSON text of a value; bigint prints exactly. Non-finite numbers are refused (JSON has none). */
export function stringifyJson(v: JsonValue): string {
  if (typeof v === 'number' && !Number.isFinite(v)) fail(`${v} cannot be written as JSON`);
  try {
    return JSON.stringify(v);
  } catch (e) {
    if (e instanceof TypeError && /BigInt/i.test(e.message)) return slowStringify(v);
    throw e;
  }
}

function slowStringify(v: JsonValue): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(slowStringify).join(',')}]`;
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${slowStringify(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** A record as a JSON object, keys in the record's order. */
export function stringifyRecord(record: EtlRecord): string {
  let out = '{';
  let first = true;
  for (const [k, v] of record) {
    out += `${first ? '' : ','}${JSON.stringify(k)}:${stringifyJson(v)}`;
    first = false;
  }
  return `${out}}`;
}
