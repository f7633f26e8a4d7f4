import { isTerminal, type PaymentStatus } from '../../src/wire/status.js';

/**
 * A small real SSE client for Node tests: `fetch` over HTTP, the body stream read and parsed
 * line by line (`id:`, `event:`, `data:`, `retry:`, comments), as the HTML spec's parser does.
 * A test awaits the events it expects (`next()`, `waitFor()`), never a timer; the guard
 * timeouts only stop a hung test.
 */

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  retry?: number;
  /** The stream ended (the server closed it). */
  ended: Promise<void>;
  isEnded(): boolean;
  /** The event after the last one `next()` returned. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** Resolves once `predicate` holds on the events so far. */
  waitFor(
    predicate: (events: SseEvent[]) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<SseEvent[]>;
  /** Resolves once `count` comment lines have arrived (heartbeats). */
  waitForComments(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openSse(
  url: string,
  headers: Record<string, string> = {},
  /** Told of each event as it is parsed (before `events` grows). */
  onEvent?: (event: SseEvent) => void,
): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  let ended = false;
  let cursor = 0;
  const reader = response.body?.getReader();
  const client: SseClient = {
    status: response.status,
    headers: response.headers,
    events: [],
    comments: [],
    ended: Promise.resolve(),
    isEnded: () => ended,
    next(timeoutMs = 5000) {
      return until(
        () => client.events.length > cursor || ended,
        `event #${cursor}`,
        timeoutMs,
      ).then(() => {
        if (client.events.length <= cursor)
          throw new Error(`the stream ended before event #${cursor}`);
        return client.events[cursor++];
      });
    },
    waitFor(predicate, what = 'a condition on the events', timeoutMs = 5000) {
      return until(() => predicate(client.events), what, timeoutMs).then(() => client.events);
    },
    waitForComments(count, timeoutMs = 5000) {
      return until(() => client.comments.length >= count, `${count} comments`, timeoutMs);
    },
    async close() {
      controller.abort();
      // Cancel too: an abort alone can leave a read pending once the server has ended.
      await reader?.cancel().catch(() => {});
      await client.ended.catch(() => {});
    },
  };

  function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (!check()) return;
        listeners.delete(listener);
        clearTimeout(guard);
        resolve();
      };
      const guard = setTimeout(() => {
        listeners.delete(listener);
        reject(
          new Error(`SSE: timed out waiting for ${what}; got ${JSON.stringify(client.events)}`),
        );
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  }

  client.ended = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let pending: { id?: string; event?: string; data: string[] } = { data: [] };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (pending.data.length > 0) {
              const event: SseEvent = {
                ...(pending.id !== undefined ? { id: pending.id } : {}),
                event: pending.event ?? 'message',
                data: pending.data.join('\n'),
              };
              onEvent?.(event);
              client.events.push(event);
            }
            pending = { data: [] };
            continue;
          }
          if (line.startsWith(':')) {
            client.comments.push(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') pending.id = fieldValue;
          else if (field === 'event') pending.event = fieldValue;
          else if (field === 'data') pending.data.push(fieldValue);
          else if (field === 'retry') client.retry = Number(fieldValue);
        }
        notify();
      }
    } catch {
      /* aborted by close() */
    } finally {
      ended = true;
      notify();
    }
  })();
  return client;
}

/** One `status` event as a follower received it. */
export interface ReceivedState {
  seq: number;
  status: PaymentStatus;
  /** 1 for the first connection of the follower. */
  connection: number;
}

export interface FollowOptions {
  /**
   * The state the element already has (the one in the `POST /payments` answer): its `seq`
   * is where the element's dedup starts. Default: none.
   */
  initial?: { seq: number; status: PaymentStatus };
  /**
   * Awaited before each reconnect: a test that stops the server makes it wait until the server
   * is back (an event, not a timer). Default: reconnect at once, as EventSource would.
   */
  reconnectWhen?: () => Promise<void>;
  /** Connects in a row that may fail (refused, 5xx) before the follower gives up; default 5. */
  maxFailures?: number;
}

/**
 * A payment's stream followed as the element follows it: reconnected with `Last-Event-ID`
 * (the last id received) whenever it ends before a final state, every state with a `seq` not
 * above the last one dropped, stopped by the first final state or a 204. Everything received
 * is kept, so a test can count what the element would have acted on and what the server sent.
 */
export interface Follower {
  /** Every status event received, on every connection, in arrival order. */
  received: ReceivedState[];
  /**
   * What the element acts on: the initial state (connection 0), then the states whose `seq`
   * is above every earlier one.
   */
  accepted: ReceivedState[];
  /** Connections opened that answered (200 or 204). */
  connections: number;
  /** Connects that failed (refused, reset, or a status other than 200/204). */
  failures: number;
  /** The final state the element acted on, once it has one; `undefined` while it has none. */
  final: ReceivedState | undefined;
  /** Resolves once the follower stops: a final state, a 204, or too many failed connects. */
  stopped: Promise<void>;
  /** Resolves once the element has accepted a state with this status. */
  waitForStatus(status: PaymentStatus, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function followPayment(url: string, options: FollowOptions = {}): Follower {
  const maxFailures = options.maxFailures ?? 5;
  const reconnectWhen = options.reconnectWhen ?? (() => Promise.resolve());
  let lastSeq = options.initial?.seq ?? -1;
  let lastId: string | undefined;
  let closed = false;
  let current: SseClient | undefined;
  let connection = 0;
  const listeners = new Set<() => void>();
  const follower: Follower = {
    received: [],
    accepted: options.initial ? [{ ...options.initial, connection: 0 }] : [],
    connections: 0,
    failures: 0,
    final: undefined,
    stopped: Promise.resolve(),
    waitForStatus(status, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!follower.accepted.some((state) => state.status === status)) return;
          listeners.delete(check);
          clearTimeout(guard);
          resolve();
        };
        const guard = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${url}: no ${status} state; got ${JSON.stringify(follower.received)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async close() {
      closed = true;
      await current?.close();
      await follower.stopped;
    },
  };
  const onEvent = (event: SseEvent): void => {
    if (event.id !== undefined) lastId = event.id;
    if (event.event !== 'status') return;
    const { seq, status } = JSON.parse(event.data) as { seq: number; status: PaymentStatus };
    const state: ReceivedState = { seq, status, connection };
    follower.received.push(state);
    if (follower.final || seq <= lastSeq) return;
    lastSeq = seq;
    follower.accepted.push(state);
    if (isTerminal(status)) follower.final = state;
    for (const listener of [...listeners]) listener();
  };
  follower.stopped = (async () => {
    let failedInRow = 0;
    while (!closed && !follower.final) {
      connection++;
      let client: SseClient;
      try {
        client = await openSse(
          url,
          lastId !== undefined ? { 'Last-Event-ID': lastId } : {},
          onEvent,
        );
      } catch {
        follower.failures++;
        if (++failedInRow >= maxFailures) return;
        await reconnectWhen();
        continue;
      }
      if (client.status !== 200) {
        await client.close();
        // 204: the server says the client has the final state already.
        if (client.status === 204) {
          follower.connections++;
          return;
        }
        follower.failures++;
        if (++failedInRow >= maxFailures) return;
        await reconnectWhen();
        continue;
      }
      follower.connections++;
      failedInRow = 0;
      current = client;
      // The element closes its stream at the final state; the server closes it too.
      await client.waitFor(
        () => follower.final !== undefined || client.isEnded(),
        'the end',
        2 ** 31 - 1,
      );
      await client.close();
      current = undefined;
      if (closed || follower.final) return;
      await reconnectWhen();
    }
  })();
  return follower;
}
