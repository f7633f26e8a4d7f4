/**
 * The checkout in Fastify, in one line: `app.register(fastifyCheckout(checkout))`.
 *
 * The plugin adds one `onRequest` hook to the whole app (it is not encapsulated): a request
 * under the checkout's prefix is taken from Fastify before its body is parsed (the callback's
 * signature is checked on the body as sent, and the checkout bounds what it reads), hijacked,
 * and answered by `toNodeHandler`; every other request goes on through Fastify as before. No
 * route and no content-type parser is added, so the app's own parsers, routes and 404 stay
 * as they were. Fastify is not a dependency: the few members used are typed here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Checkout } from './checkout.js';
import { toNodeHandler, type NodeHandlerOptions } from './node-adapter.js';

/** What the plugin uses of a Fastify instance. */
export interface FastifyCheckoutHost {
  addHook(
    name: 'onRequest',
    hook: (
      request: { raw: IncomingMessage },
      reply: { raw: ServerResponse; hijack(): unknown },
      done: (error?: Error) => void,
    ) => void,
  ): unknown;
}

/** A Fastify plugin (callback style), marked to apply to the app that registers it. */
export type FastifyCheckoutPlugin = ((
  app: FastifyCheckoutHost,
  options: unknown,
  done: (error?: Error) => void,
) => void) & { [key: symbol]: unknown };

/** `app.register(fastifyCheckout(checkout))`: the checkout's routes in a Fastify app. */
export function fastifyCheckout(
  checkout: Checkout,
  options: NodeHandlerOptions = {},
): FastifyCheckoutPlugin {
  const handler = toNodeHandler(checkout, options);
  const plugin = (app: FastifyCheckoutHost, _options: unknown, done: (error?: Error) => void) => {
    app.addHook('onRequest', (request, reply, next) => {
      const path = (request.raw.url ?? '/').split('?')[0];
      if (!checkout.matches(path)) {
        next();
        return;
      }
      // The answer is the checkout's from here: Fastify neither parses nor replies.
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    done();
  };
  // What fastify-plugin sets: the hook applies to the whole app, under this name.
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'cup-qr-checkout',
  });
}
