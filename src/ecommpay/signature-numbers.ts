/**
 * How a number is written into the signed string. ECommPay documents integers only; its official
 * signers all accept floats and each writes them its own way (read from their code and run side
 * by side on the same JSON in test/fixtures/sdk-signatures.json):
 *
 *   JSON text            PHP         Python      JS                   Java          Go
 *   1.5                  1.5         1.5         1.5                  1.5           1
 *   0.30000000000000004  0.3         as JS       0.30000000000000004  as JS         0
 *   12345678.5           12345678.5  12345678.5  12345678.5           1.23456785E7  12345678
 *   0.0005               0.0005      0.0005      0.0005               5.0E-4        0
 *   0.00001              1.0E-5      1e-05       0.00001              1.0E-5        0
 *   100.0                100         100.0       100                  100.0         100
 *   -0.0                 -0          -0.0        0                    -0.0          0
 *   1e21                 1.0E+21     1e+21       1e+21                1.0E21        overflow
 *
 * - PHP SDK (src/SignatureHandler.php, `(string)$value` after `json_decode`): an integer in the
 *   JSON is an int (a float past 2^63); a float is written with `precision=14` (php_gcvt): 14
 *   significant digits rounded half to even, trailing zeros dropped, the `1.0E-5` form when the
 *   decimal exponent is below -4 or above 13.
 * - Python SDK (payment_page_sdk/signature_handler.py, `str(value)` after `json.loads`): ints
 *   exact; floats as `repr`, the shortest digits that read back, `.0` on whole ones, the `1e-05`
 *   form below 1e-4 and from 1e16.
 * - JS SDK (`ecommpay` on npm, src/converter.js, a template literal after `JSON.parse`):
 *   ECMAScript's Number to String, the same shortest digits, the `1e-7` form below 1e-6 and
 *   from 1e21.
 * - Java SDK (src/main/java/com/ecommpay/sdk/SignatureHandler.java, `toString()` of what
 *   Jackson parsed): integers exact (Integer/Long/BigInteger); floats as `Double.toString`,
 *   plain from 1e-3 to below 1e7, else `1.0E-5`. We follow JDK 19 and later (the shortest
 *   digits); JDK 17 and older write more digits for some values (1e23 as 9.999999999999999E22;
 *   about 1 in 1000 random doubles, none of 600,000 short decimals between 0.001 and 1e7).
 * - Go SDK (signature-handler.go): encoding/json makes every number a float64, written
 *   `strconv.Itoa(int(v))`: floats truncated, integers past 2^53 rounded, past 2^63 overflowed.
 *   That form is never tried: it would let anyone change the fraction of a signed number.
 *
 * JSON.parse has turned the text into a double before we see it: `100.0` is 100 and an integer
 * past 2^53 has lost digits, so the Python/Java form of a whole float and the exact digits of a
 * long integer cannot be rebuilt. A whole number is taken as the SDKs read integer digits
 * (JSON.stringify writes it so below 1e21).
 */

/** A float form of one official signer, or `majority`: what at least 3 of the 5 signers write. */
export type FloatFormat = 'majority' | 'js' | 'php' | 'python' | 'java';

/** The forms a verifier tries when a message carries a float, ours (`js`) first. */
export const FLOAT_FORMATS: readonly Exclude<FloatFormat, 'majority'>[] = [
  'js',
  'php',
  'python',
  'java',
];

/** True for the numbers the signers may write differently: anything but a safe integer, and -0. */
export function isFloatLike(value: number): boolean {
  return !Number.isSafeInteger(value) || Object.is(value, -0);
}

/**
 * The digits and the decimal exponent of the first of `value.toExponential(fraction)`; without
 * `fraction`, the shortest digits that read back as `value`.
 */
function scientific(value: number, fraction?: number): { digits: string; exponent: number } {
  const [mantissa, exponent] = value.toExponential(fraction).split('e');
  return { digits: mantissa.replace('.', ''), exponent: Number(exponent) };
}

/** `digits` (the first one at 10^exponent) written out in full, with `.0` if whole. */
function plain(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/** Python's `repr(float)`. */
function pythonFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const { digits, exponent } = scientific(Math.abs(value));
  if (exponent >= -4 && exponent < 16) return sign + plain(digits, exponent);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const power = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${power}`;
}

/**
 * Java's `Double.toString` (JDK 19 and later): the shortest digits, except that where one digit
 * would do, the closest of one or two digits (`4.9E-324`, not `5.0E-324`).
 */
function javaDouble(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  let { digits, exponent } = scientific(magnitude);
  if (digits.length === 1 && Number(magnitude.toExponential(1)) === magnitude) {
    ({ digits, exponent } = scientific(magnitude, 1));
    digits = digits.replace(/0$/, '');
  }
  if (magnitude >= 1e-3 && magnitude < 1e7) return sign + plain(digits, exponent);
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exponent}`;
}

/**
 * The exact decimal value of a positive double: every double is m·2^e, which is a finite
 * decimal. Returned as its significant digits and the exponent of the first one.
 */
function exactDecimal(value: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = biased === 0 ? -1074 : biased - 1075;
  const digits =
    power >= 0
      ? (mantissa << BigInt(power)).toString()
      : (mantissa * 5n ** BigInt(-power)).toString();
  return { digits, exponent: digits.length - 1 + Math.min(power, 0) };
}

/** PHP's `(string)` of a float: php_gcvt with `precision=14`, rounded half to even. */
function phpFloat(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const exact = exactDecimal(Math.abs(value));
  let digits = exact.digits.replace(/0+$/, '');
  let exponent = exact.exponent;
  if (digits.length > 14) {
    const next = digits.charCodeAt(14) - 48;
    const tie = next === 5 && digits.length === 15;
    const up = next > 5 || (next === 5 && (!tie || (digits.charCodeAt(13) - 48) % 2 === 1));
    let kept = BigInt(digits.slice(0, 14));
    if (up) kept += 1n;
    digits = kept.toString();
    if (digits.length > 14) exponent += 1; // 99999999999999.5 -> 1.0E+14
    digits = digits.replace(/0+$/, '');
  }
  // php_gcvt's decpt is exponent + 1.
  if (exponent < -4 || exponent >= 14) {
    const power = `${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
    return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${power}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const rest = digits.slice(exponent + 1);
  return sign + (rest ? `${whole}.${rest}` : whole);
}

/** `value` written the way `format`'s signer writes a float. */
function floatIn(value: number, format: Exclude<FloatFormat, 'majority'>): string {
  switch (format) {
    case 'js':
      return String(value);
    case 'php':
      return phpFloat(value);
    case 'python':
      return pythonFloat(value);
    case 'java':
      return javaDouble(value);
  }
}

/** What each decimal-writing signer writes for `value` as a float, for an error message. */
export function floatForms(value: number): Record<Exclude<FloatFormat, 'majority'>, string> {
  return {
    js: floatIn(value, 'js'),
    php: floatIn(value, 'php'),
    python: floatIn(value, 'python'),
    java: floatIn(value, 'java'),
  };
}

/**
 * `value` (a finite number) as `format` writes it; `undefined` where `majority` has no answer.
 *
 * A whole number below 1e21 (but -0) is read as integer digits, `String(value)`, except by PHP
 * from 2^63 (a float then). `majority` is for what we send: JSON.stringify writes a whole number
 * below 1e21 as digits, -0 as `0`; past 2^53 the caller's digits may be gone already (refused);
 * a float gets the form at least three of the five signers write (Go never agrees), which is
 * always the JS and Python one (`1.5`, `0.30000000000000004`, `12345678.5`, `0.0005`); there
 * is none below 1e-4, from 1e21, nor past 14 digits outside 0.001..1e7.
 */
export function writeNumber(value: number, format: FloatFormat): string | undefined {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) {
    if (format === 'majority') return Number.isSafeInteger(value) ? String(value + 0) : undefined;
    if (Object.is(value, -0)) return floatIn(value, format);
    return format === 'php' && Math.abs(value) >= 2 ** 63 ? phpFloat(value) : String(value);
  }
  if (format !== 'majority') return floatIn(value, format);
  const forms = Object.values(floatForms(value));
  return forms.find((form) => forms.filter((other) => other === form).length >= 3);
}
