/**
 * `cup-qr-checkout sign [--verify]`: signs the JSON object on standard input with the project's
 * secret key (ECommPay's algorithm, ecommpay/signature.ts), or checks the signature it carries.
 */
import { canonicalString, checkSignature, sign, SignatureError } from '../../ecommpay/signature.js';
import { depthOver, MAX_JSON_DEPTH } from '../../server/http.js';
import { EXIT_NO, EXIT_OK, EXIT_USAGE, NAME, SECRET_KEY_ENV, type CliIO } from '../io.js';

const SIGN_USAGE = `Usage: ${NAME} sign [--verify] < message.json

Signs the JSON object on stdin with the project's secret key (env ${SECRET_KEY_ENV}) and
prints it with the signature in general.signature (Gate requests) or, when it has no
"general" object, in a top-level "signature".

  --verify   check the signature the JSON carries instead: prints "valid (<ordering>)"
             and exits 0, or "invalid: <reason>" on stderr and exits 1

Floats are signed as most official ECommPay SDKs write them (1.5); one they write
differently (1e-7) is refused: send it as a string. Amounts are integers (minor units).
`;

export async function signCommand(args: readonly string[], io: CliIO): Promise<number> {
  const fail = (message: string): number => {
    io.stderr(`${NAME} sign: ${message}\n`);
    return EXIT_USAGE;
  };
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(SIGN_USAGE);
    return EXIT_OK;
  }
  const unknown = args.filter((arg) => arg !== '--verify');
  if (unknown.length > 0) {
    return fail(`unexpected argument ${JSON.stringify(unknown[0])}\n\n${SIGN_USAGE}`);
  }
  const verifyOnly = args.includes('--verify');

  // Checked before reading stdin, so a forgotten key never leaves the command waiting.
  const secretKey = io.env[SECRET_KEY_ENV];
  if (!secretKey) {
    return fail(
      `${SECRET_KEY_ENV} is not set: export the project's secret key (ECommPay Dashboard, ` +
        `project settings) to ${verifyOnly ? 'verify' : 'sign'}`,
    );
  }

  const input = await readInput(io);
  if (!input.ok) return fail(input.message);
  const data = input.value;

  // Unsignable data (a float the SDKs write differently, a ";" in a value to sign...) is an
  // input error, not an invalid signature. Verifying takes a ";" in a value (genuine callbacks
  // carry them) and needs no agreed float form (every SDK's is tried).
  let signature = '';
  try {
    if (verifyOnly) canonicalString(data, 'natural', 'js');
    else signature = sign(data, secretKey);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    return fail(`cannot ${verifyOnly ? 'verify' : 'sign'} this JSON: ${error.message}`);
  }

  if (verifyOnly) {
    const check = checkSignature(data, secretKey);
    if (!check.valid) {
      io.stderr(`invalid: ${check.reason}\n`);
      return EXIT_NO;
    }
    io.stdout(`valid (${check.ordering} ordering)\n`);
    return EXIT_OK;
  }

  io.stdout(`${JSON.stringify(withSignature(data, signature), null, 2)}\n`);
  return EXIT_OK;
}

type Input = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** The JSON object on stdin, or what is wrong with it. */
async function readInput(io: CliIO): Promise<Input> {
  const raw = typeof io.stdin === 'string' ? io.stdin : await io.stdin();
  // A byte-order mark (Windows editors, PowerShell pipes) is not part of the JSON.
  const text = raw.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    return {
      ok: false,
      message: `stdin is empty: pipe the JSON in, e.g. ${NAME} sign < sale.json`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `stdin is not valid JSON: ${(error as Error).message}` };
  }
  if (!isRecord(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return {
      ok: false,
      message: `the JSON must be an object (a request, a callback), not ${what}`,
    };
  }
  // ECommPay's messages nest a few levels; the signature walks the data recursively.
  if (depthOver(value, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      message: `the JSON nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`,
    };
  }
  return { ok: true, value };
}

/** Gate bodies carry the signature in `general`; callbacks and flat parameters at the top. */
function withSignature(data: Record<string, unknown>, signature: string): Record<string, unknown> {
  if (isRecord(data.general)) return { ...data, general: { ...data.general, signature } };
  return { ...data, signature };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
