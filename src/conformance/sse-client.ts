/**
 * A server-sent events client over `fetch`, for the kit: unlike `EventSource` it shows what a
 * clause must see (the status and headers, the `retry:` lines, the `: ping` comments, each
 * event's `id:`, the end of the stream) and sends any `Last-Event-ID`. Each block of lines up to
 * a blank line is one {@link SseBlock}, read in order with {@link SseReader.next}.
 */

/** One block of a stream (lines up to a blank line), as sent. */
export interface SseBlock {
  /** `retry:` value, as text. */
  retry?: string;
  id?: string;
  event?: string;
  /** The `data:` lines joined with `\n`. */
  data?: string;
  /** Comment lines (`: ping` → `ping`). */
  comments: string[];
}

export interface SseReader {
  status: number;
  headers: Headers;
  /**
   * The next block; `'end'` when the server ended the stream, `'timeout'` when nothing came
   * within `timeoutMs`.
   */
  next(timeoutMs: number): Promise<SseBlock | 'end' | 'timeout'>;
  /** The next block with an `event:` or `data:`, skipping `retry:` and comments. */
  nextEvent(timeoutMs: number): Promise<SseBlock | 'end' | 'timeout'>;
  close(): void;
}

function parseBlock(text: string): SseBlock {
  const block: SseBlock = { comments: [] };
  const data: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.startsWith(':')) {
      block.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'id' || field === 'event' || field === 'retry') block[field] = value;
  }
  if (data.length > 0) block.data = data.join('\n');
  return block;
}

/** Opens `url` as an event stream; the answer's status and headers are known on return. */
export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseReader> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = !reader;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;

  const takeBlock = (): SseBlock | undefined => {
    const match = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
    if (!match) return undefined;
    const text = buffer.slice(0, match.index);
    buffer = buffer.slice(match.index + match[0].length);
    return parseBlock(text);
  };

  const next = async (timeoutMs: number): Promise<SseBlock | 'end' | 'timeout'> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const block = takeBlock();
      if (block) return block;
      if (ended || !reader) return 'end';
      pending ??= reader.read();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      });
      const result = await Promise.race([pending.catch(() => ({ done: true }) as const), timeout]);
      clearTimeout(timer);
      if (result === 'timeout') return 'timeout';
      pending = undefined;
      if (result.done) {
        ended = true;
        if (buffer.trim() !== '') {
          const rest = parseBlock(buffer);
          buffer = '';
          return rest;
        }
        return 'end';
      }
      buffer += decoder.decode(result.value, { stream: true });
    }
  };

  return {
    status: response.status,
    headers: response.headers,
    next,
    async nextEvent(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const block = await next(Math.max(0, deadline - Date.now()));
        if (typeof block === 'string') return block;
        if (block.event !== undefined || block.data !== undefined) return block;
      }
    },
    close() {
      ended = true;
      abort.abort();
    },
  };
}
