/**
 * The routes of the wire protocol between the element and the merchant's server (DESIGN.md):
 * their paths under the prefix (the element's `endpoint`), the SSE event name, and the bodies
 * the routes take and answer. One home for the route strings: the toolkit's router matches
 * paths with {@link matchRoute}, the element's client builds them from {@link ROUTES}.
 *
 * No DOM, no Node: the element imports it.
 */
import type { PaymentState } from './payment-state.js';
import type { PayloadCustomer, PaymentMode } from './payload.js';

/** The route prefix the element calls by default (its `endpoint` attribute). */
export const DEFAULT_ROUTE_PREFIX = '/cup-qr';

/** Routes under the prefix. `:id` is the payment id, URL-encoded. */
export const ROUTES = {
  /** `POST {payload, mode?, customer?}` -> {@link CreatedPayment}. */
  payments: '/payments',
  /** `GET ?token=` -> `text/event-stream` of `status` events. */
  events: '/payments/:id/events',
  /** `GET ?token=` -> {@link PaymentState} JSON (the polling fallback). */
  payment: '/payments/:id',
  /** `POST` ECommPay's callbacks. */
  callback: '/callback',
  /** `POST {paymentId, token}` -> {@link PaymentPageLink}. */
  paymentPage: '/payment-page',
} as const;

/** The name of a route of {@link ROUTES}. */
export type RouteName = keyof typeof ROUTES;

/** Each route's template as a pattern, `:id` a path segment (captured); made at first use. */
let routePatterns: { route: RouteName; pattern: RegExp }[] | undefined;

function patternsOfRoutes(): { route: RouteName; pattern: RegExp }[] {
  routePatterns ??= (Object.keys(ROUTES) as RouteName[]).map((route) => ({
    route,
    pattern: new RegExp(
      `^${ROUTES[route].replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(':id', '([^/]+)')}$`,
    ),
  }));
  return routePatterns;
}

/**
 * The route a path under the prefix is (`/payments/ref~2/events`: `events`), with its payment
 * id as the path carries it (URL-encoded), or undefined for no route.
 */
export function matchRoute(path: string): { route: RouteName; id?: string } | undefined {
  for (const { route, pattern } of patternsOfRoutes()) {
    const match = pattern.exec(path);
    if (match) return match[1] === undefined ? { route } : { route, id: match[1] };
  }
  return undefined;
}

/** The path of `route` under `prefix`, with `paymentId` URL-encoded for its `:id`. */
export function routePath(prefix: string, route: RouteName, paymentId = ''): string {
  return `${prefix.replace(/\/+$/, '')}${ROUTES[route].replace(':id', encodeURIComponent(paymentId))}`;
}

/** The only SSE event name the server sends; its `data:` is a {@link PaymentState}. */
export const STATUS_EVENT = 'status';

/** The body of `POST /payments`. */
export interface CreatePaymentBody {
  payload: string;
  /**
   * The mode the page expects. Optional: the payload decides (`gate` when it says nothing),
   * and a mode that disagrees with it is refused (`400 field-fixed`), never followed.
   */
  mode?: PaymentMode;
  /**
   * The customer fields the payload leaves open (the element's form). A field the payload
   * fixes, `id` or `ip_address` is refused (`field-fixed`), as is any other top-level key.
   */
  customer?: PayloadCustomer;
}

/** The answer of `POST /payments`: 201 for a new attempt, 200 for the current one. */
export interface CreatedPayment {
  paymentId: string;
  /** Opens this payment's stream and status; keep it like a session secret. */
  token: string;
  state: PaymentState;
}

/** The answer of `POST /payment-page`. */
export interface PaymentPageLink {
  url: string;
}
