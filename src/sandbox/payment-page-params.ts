/**
 * The Payment Page's query read the way ECommPay's official SDKs and plug-ins build it
 * (PROTOCOL.md §4), which is not always the way they sign it:
 *
 * - **`_` parameters are not signed.** ECommPay's plug-ins append `_plugin_version` after
 *   signing (commercetools `paymentPageService.ts`, WooCommerce `EcpGatewayAPIProtocol.php`);
 *   merchant.js adds `_referrer`. They are left out of the signed data, and the sandbox uses
 *   none of them for the payment (only `_referrer`'s origin, to tell the page that framed it
 *   the outcome; see payment-page.ts).
 * - **Booleans.** The JS SDK (`ecommpay` on npm, `src/payment.js`: `encodeURIComponent(true)`),
 *   the Python SDK (`urllib.parse.urlencode`: `True`) and the Go SDK (`strconv.FormatBool`:
 *   `true`) sign a boolean as `1`/`0` but write `true`/`True`/`false`/`False` into the URL;
 *   PHP's `http_build_query` writes `1`/`0`. A query carries no types, so the parameters are
 *   verified as written first and, when that fails and a value reads as a boolean, once more
 *   with every such value as `1`/`0`; the reading that verified is the one used. (A link whose
 *   text parameter is literally `true` and that also carries a boolean verifies in neither
 *   reading; no SDK-built CUP QR link has both.)
 * - **`interface_type`** is a JSON object as text, `{"id": N}`: the JS SDK writes `{"id":22}`,
 *   PHP `{"id":23}`, Python `{"id": 24}`, Go `{"id": 20}` (with its space). It is signed as
 *   that text, and checked to be such an object.
 * - **`frame_mode`** (never signed) says how the page is shown: `iframe` (merchant.js's modal
 *   and `target_element` frames) or `popup`; either gives the page a layout for a frame.
 */

/** The parameters of a query, each name once (the last value wins, as a `URLSearchParams` read). */
export type PageParams = Record<string, string>;

/** `frame_mode` values the sandbox knows: every one is shown in a frame. */
export const FRAME_MODES = ['iframe', 'popup'] as const;
export type FrameMode = (typeof FRAME_MODES)[number];

const BOOLEANS: Readonly<Record<string, string>> = {
  true: '1',
  True: '1',
  false: '0',
  False: '0',
};

/** Left out of the signed data: the plug-ins' and merchant.js's own additions. */
export function isUnsignedParam(name: string): boolean {
  return name.startsWith('_');
}

export function readParams(query: string): PageParams {
  const params: PageParams = Object.create(null) as PageParams;
  for (const [name, value] of new URLSearchParams(query)) params[name] = value;
  return params;
}

/**
 * The ways the signed parameters may have been signed, the written one first: without the
 * unsigned `_` parameters, and with booleans as `1`/`0` when any value reads as a boolean.
 * `signature` stays in (the verifier takes it from there); `frame_mode` too (it skips it).
 */
export function signedReadings(params: PageParams): PageParams[] {
  const written: PageParams = {};
  for (const [name, value] of Object.entries(params)) {
    if (!isUnsignedParam(name)) written[name] = value;
  }
  const readings = [written];
  const names = Object.keys(written).filter((name) => name !== 'signature');
  if (names.some((name) => BOOLEANS[written[name]] !== undefined)) {
    const asNumbers: PageParams = { ...written };
    for (const name of names) asNumbers[name] = BOOLEANS[written[name]] ?? written[name];
    readings.push(asNumbers);
  }
  return readings;
}

/**
 * The query without its unsigned parameters: what makes two links "the same signed request"
 * (a reload, merchant.js opening it again with another `_referrer`).
 */
export function signedQuery(query: string): string {
  const kept = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query)) {
    if (!isUnsignedParam(name)) kept.append(name, value);
  }
  return kept.toString();
}

/** What is wrong with `interface_type`, or `undefined` when it is absent or `{"id": N}`. */
export function interfaceTypeProblem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const id = (parsed as { id?: unknown } | undefined)?.id;
  if (typeof parsed === 'object' && parsed !== null && Number.isSafeInteger(id)) return undefined;
  return `interface_type: a JSON object with an integer id, as the SDKs send it ({"id": 22}) (got ${JSON.stringify(value.slice(0, 100))})`;
}

/** The frame layout asked for, `undefined` for a page of its own; `false` for an unknown one. */
export function frameModeOf(params: PageParams): FrameMode | undefined | false {
  const mode = params.frame_mode;
  if (mode === undefined) return undefined;
  return (FRAME_MODES as readonly string[]).includes(mode) ? (mode as FrameMode) : false;
}

/**
 * The origin of `_referrer` (merchant.js's page) when it is an http(s) URL: where a framed page
 * posts the outcome. It is unsigned, so it only names who may read that outcome, which the one
 * holding the link could see anyway.
 */
export function referrerOrigin(params: PageParams): string | undefined {
  const referrer = params._referrer;
  if (referrer === undefined) return undefined;
  try {
    const url = new URL(referrer);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
