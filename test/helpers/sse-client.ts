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
              client.events.push({
                ...(pending.id !== undefined ? { id: pending.id } : {}),
                event: pending.event ?? 'message',
                data: pending.data.join('\n'),
              });
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
