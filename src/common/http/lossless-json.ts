import { randomBytes } from 'node:crypto';

/**
 * A JSON number whose text JavaScript's number type would change: an integer beyond 2^53
 * (`12345678901234567890`) or a float that Python writes differently (`1.0`, `1e-07`).
 * Upstream (Python `json`) keeps integers exact and writes floats with `repr()`, so a value
 * sent in `properties` comes back as it was. `text` is that Python rendering.
 */
export class JsonNumber {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  get text(): string {
    return this.#text;
  }

  get isInteger(): boolean {
    return !/[.eE]/.test(this.#text);
  }

  valueOf(): number {
    return Number(this.#text);
  }

  /**
   * Inside stringifyJson: a marker that is replaced by the text. Anywhere else (a plain
   * `JSON.stringify`), the nearest double, as before this class existed.
   */
  toJSON(): string | number {
    if (!rawWriting) return Number(this.#text);
    rawWritten = true;
    return RAW_MARK + this.#text;
  }
}

/** Upstream's json has no depth limit but Python's recursion limit; this is Ruby's JSON default. */
export const MAX_BODY_DEPTH = 100;

/** The two ways a text is refused; the body parser turns both into 400s. */
export class JsonSyntaxError extends Error {}
export class JsonDepthError extends Error {
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
  }
}

/**
 * A number token that JavaScript might not keep as Python does: a fraction or an exponent, or
 * 16 digits and more. Text without one (the usual `properties`) goes to the native JSON.parse.
 * Strings can match too (`"10:30.5"`); they only cost the slower parser.
 */
const NUMBER_HINT = /(?:^|[:[,])\s*-?\d+(?:[.eE]|\d{15})/;

export interface ParseOptions {
  /** Arrays and objects nested deeper than this are a JsonDepthError. */
  readonly maxDepth?: number;
}

/**
 * JSON.parse, except that numbers whose text a double would change become JsonNumber, and
 * nesting is bounded. A float beyond the double range (`1e400`) is a JsonSyntaxError: Python
 * reads it as `inf` and writes `Infinity`, which is not JSON.
 */
export function parseJson(text: string, options: ParseOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? Infinity;
  // Each level takes at least one character, so a short text cannot be too deep.
  if (text.length <= maxDepth && !NUMBER_HINT.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new JsonSyntaxError((err as Error).message);
    }
  }
  return new LosslessParser(text, maxDepth).parseDocument();
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A per-process secret, so that no string a client stores can pose as a number marker. */
const RAW_MARK = `\u0000${randomBytes(16).toString('hex')}:`;
const RAW_MARK_JSON = new RegExp(`"\\\\u0000${RAW_MARK.slice(1)}([^"]*)"`, 'g');
let rawWriting = false;
let rawWritten = false;

/**
 * JSON.stringify that writes each JsonNumber as its text. Values without one cost a flag
 * check: the list path serialises whole batches of rows through here.
 */
export function stringifyJson(value: unknown): string {
  rawWriting = true;
  rawWritten = false;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } finally {
    rawWriting = false;
  }
  if (text === undefined) return 'null';
  return rawWritten ? text.replace(RAW_MARK_JSON, '$1') : text;
}

// ---------------------------------------------------------------------------------------------
// Python's renderings

/** Python `repr(float)`: the shortest round-trip digits, fixed between 1e-4 and 1e16, else `1e+16`. */
export function pythonFloatText(x: number): string {
  const abs = Math.abs(x);
  // Both write the same shortest digits in fixed notation here; Python always shows a fraction.
  if (abs >= 1e-4 && abs < 1e16) {
    const fixed = String(x);
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exponentText] = abs.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${m}e${exponent < 0 ? '-' : '+'}${e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/** A number token as Python reads and writes it: a plain number when JavaScript writes it the same. */
function numberValue(token: string): number | JsonNumber {
  const value = Number(token);
  const exponent = /[eE]/.test(token);
  // Written back unchanged by both (the usual case, kept cheap): without an exponent, Python
  // writes a fraction differently only below 1e-4 (`1e-05`).
  if (!exponent && String(value) === token && (Math.abs(value) >= 1e-4 || !token.includes('.'))) return value;
  if (!exponent && !token.includes('.')) {
    // `-0` is the integer 0 for Python, and JSON.stringify(-0) writes `0`.
    return token === '-0' ? 0 : new JsonNumber(token);
  }
  if (!Number.isFinite(value)) throw new JsonSyntaxError(`number out of range: ${token.slice(0, 40)}`);
  const python = pythonFloatText(value);
  return python === String(value) ? value : new JsonNumber(python);
}

// ---------------------------------------------------------------------------------------------
// The parser (RFC 8259, as strict as JSON.parse)

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// Control characters must be escaped inside a JSON string.
// eslint-disable-next-line no-control-regex
const PLAIN_STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class LosslessParser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    const value = this.value();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected data after the JSON value');
    return value;
  }

  private value(): unknown {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.number();
  }

  private object(): Record<string, unknown> {
    this.enter();
    const result: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.skipWhitespace();
      this.expect(':');
      const item = this.value();
      // As JSON.parse: `__proto__` is an own property, never the prototype.
      if (key === '__proto__') {
        Object.defineProperty(result, key, { value: item, writable: true, enumerable: true, configurable: true });
      } else {
        result[key] = item;
      }
      this.skipWhitespace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      this.depth--;
      return result;
    }
  }

  private array(): unknown[] {
    this.enter();
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skipWhitespace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      this.depth--;
      return result;
    }
  }

  private string(): string {
    this.pos++; // the opening quote
    let out = '';
    for (;;) {
      PLAIN_STRING_RUN.lastIndex = this.pos;
      PLAIN_STRING_RUN.exec(this.text);
      out += this.text.slice(this.pos, PLAIN_STRING_RUN.lastIndex);
      this.pos = PLAIN_STRING_RUN.lastIndex;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c !== '\\') this.fail(c === undefined ? 'unterminated string' : 'control character in string');
      const e = this.text[this.pos + 1];
      if (e === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.pos += 2;
      } else {
        this.fail('bad escape');
      }
    }
  }

  private number(): number | JsonNumber {
    NUMBER_TOKEN.lastIndex = this.pos;
    const match = NUMBER_TOKEN.exec(this.text);
    if (!match) this.fail('unexpected character');
    this.pos = NUMBER_TOKEN.lastIndex;
    return numberValue(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('unexpected character');
    this.pos += word.length;
    return value;
  }

  private enter(): void {
    this.pos++;
    if (++this.depth > this.maxDepth) throw new JsonDepthError(this.maxDepth);
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  private skipWhitespace(): void {
    while (WHITESPACE.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  private fail(reason: string): never {
    throw new JsonSyntaxError(`${reason} at position ${this.pos}`);
  }
}

/** A value that JSON texts turn into a dict (not a list, not a number wrapper). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}
