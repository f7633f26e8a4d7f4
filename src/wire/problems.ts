/**
 * Parsing unknown JSON into the protocol's types: every problem is collected with the path of
 * the field it concerns (`customer.phone: digits only, no "+"`), never only the first one.
 * No DOM, no Node: the element, the server and the ECommPay side (ecommpay/ imports it; browser
 * code may not import ecommpay/, so it lives here) share it.
 */

/** One thing wrong with an input, at a dotted path (`errors[0].code`), `''` for the root. */
export interface Problem {
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Thrown by the `…OrThrow` forms of the parsers; `message` lists every problem. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly problems: readonly Problem[];
  constructor(what: string, problems: readonly Problem[]) {
    super(`${what}: ${formatProblems(problems)}`);
    this.problems = problems;
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

export function unwrap<T>(what: string, parsed: Parsed<T>): T {
  if (parsed.ok) return parsed.value;
  throw new ProtocolError(what, parsed.problems);
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** A rule for one value: `undefined` when it holds, else what is wrong, in a few words. */
export type Rule<T> = (value: T) => string | undefined;

/**
 * Reads the fields of one JSON object and records what is wrong with them. Every getter
 * returns a usable value (possibly a placeholder) so that a parser can go on collecting
 * problems; the caller checks `problems` before trusting the result.
 */
export class FieldReader {
  readonly record: Record<string, unknown>;
  /** Whether the value was an object at all. */
  readonly isObject: boolean;

  constructor(
    value: unknown,
    readonly path: string,
    readonly problems: Problem[],
    required = true,
  ) {
    this.isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    this.record = this.isObject ? (value as Record<string, unknown>) : {};
    if (!this.isObject && (required || value !== undefined)) {
      this.fail('', value === undefined ? 'required' : `must be an object, not ${describe(value)}`);
    }
  }

  fail(key: string, message: string): void {
    this.problems.push({ path: key ? join(this.path, key) : this.path, message });
  }

  has(key: string): boolean {
    return this.isObject && this.record[key] !== undefined && this.record[key] !== null;
  }

  /** A nested object; `required: false` accepts its absence (then `isObject` is false). */
  object(key: string, required = true): FieldReader {
    return new FieldReader(
      this.isObject ? this.record[key] : undefined,
      join(this.path, key),
      this.isObject ? this.problems : [],
      required,
    );
  }

  string(key: string, ...rules: Rule<string>[]): string {
    if (!this.has(key)) return this.missing(key, '');
    return this.optionalString(key, ...rules) ?? '';
  }

  optionalString(key: string, ...rules: Rule<string>[]): string | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail(key, `must be a string, not ${describe(value)}`);
      return undefined;
    }
    this.apply(key, value, rules);
    return value;
  }

  integer(key: string, ...rules: Rule<number>[]): number {
    if (!this.has(key)) return this.missing(key, 0);
    return this.optionalInteger(key, ...rules) ?? 0;
  }

  optionalInteger(key: string, ...rules: Rule<number>[]): number | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.fail(key, `must be an integer, not ${describe(value)}`);
      return undefined;
    }
    this.apply(key, value, rules);
    return value;
  }

  /** A string or an integer (ECommPay sends some ids either way), as a string. */
  id(key: string, ...rules: Rule<string>[]): string {
    const value = this.record[key];
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      const text = String(value);
      this.apply(key, text, rules);
      return text;
    }
    return this.string(key, ...rules);
  }

  array(key: string, required = true): unknown[] {
    const value = this.record[key];
    if (value === undefined || value === null) return required ? this.missing(key, []) : [];
    if (!Array.isArray(value)) {
      this.fail(key, `must be an array, not ${describe(value)}`);
      return [];
    }
    return value;
  }

  private apply<T>(key: string, value: T, rules: Rule<T>[]): void {
    for (const rule of rules) {
      const message = rule(value);
      if (message !== undefined) {
        this.fail(key, message);
        return;
      }
    }
  }

  private missing<T>(key: string, placeholder: T): T {
    // An absent parent already reported itself; do not repeat it for each of its fields.
    if (this.isObject) this.fail(key, 'required');
    return placeholder;
  }
}

/** A short description of a JSON value's type for messages: `a number (1.5)`, `null`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
      if (Number.isSafeInteger(value)) return `an integer (${value})`;
      return Number.isInteger(value) ? `an unsafe integer (${value})` : `a number (${value})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
