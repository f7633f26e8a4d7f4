/**
 * Capacity: how many SSE streams one server process holds, with heartbeats, and what each
 * costs in memory. Streams are opened in steps (`levels`); at each step every stream has
 * received its first state and at least one heartbeat since the step began, then the
 * server's memory is read after a full GC (RSS and V8 heap, minus the idle process's).
 *
 * Baseline, in the same run: a bare node:http server holding the same number of responses
 * open with the same heartbeat, the floor of any Node SSE server.
 */
import { inBatches, eventsPath } from './common.js';
import { startServerProcess, type Memory } from './server-process.js';
import { openStream, type BenchStream } from './sse-stream.js';

export interface CapacityLevel {
  streams: number;
  rssPerStream: number;
  heapPerStream: number;
  rssTotal: number;
}

export interface CapacityResult {
  heartbeatMs: number;
  idle: Memory;
  checkout: CapacityLevel[];
  bare: CapacityLevel[];
}

/** Resolves once every stream has had `pings` heartbeats more than it had at the call. */
async function heartbeatsSeen(streams: BenchStream[], heartbeatMs: number): Promise<void> {
  const target = streams.map((s) => s.pings + 1);
  for (;;) {
    if (streams.every((s, i) => s.pings >= target[i])) return;
    // Polled once per heartbeat period: the streams' own events cannot be awaited in bulk.
    await new Promise((resolve) => setTimeout(resolve, heartbeatMs / 4));
  }
}

async function measure(
  mode: 'checkout' | 'bare',
  levels: readonly number[],
  heartbeatMs: number,
): Promise<{ idle: Memory; levels: CapacityLevel[] }> {
  const max = Math.max(...levels);
  const server = await startServerProcess({
    mode,
    store: 'memory',
    payments: mode === 'checkout' ? max : 0,
    heartbeatMs,
  });
  const streams: BenchStream[] = [];
  try {
    const idle = await server.memory();
    const results: CapacityLevel[] = [];
    for (const level of levels) {
      const from = streams.length;
      const indexes = Array.from({ length: level - from }, (_, i) => from + i);
      await inBatches(indexes, 200, async (i) => {
        const path = mode === 'checkout' ? eventsPath(server.payments[i]) : `/stream/${i}`;
        let opened!: () => void;
        const first = new Promise<void>((resolve) => (opened = resolve));
        const stream = openStream(`${server.url}${path}`, {
          onEvent: () => opened(),
          onPing: () => opened(),
        });
        streams.push(stream);
        const status = await stream.opened;
        if (status !== 200) throw new Error(`stream ${i} answered ${status}`);
        if (mode === 'checkout') await first;
      });
      await heartbeatsSeen(streams, heartbeatMs);
      const memory = await server.memory();
      if (memory.streams !== level) {
        throw new Error(`${mode}: the server holds ${memory.streams} streams, expected ${level}`);
      }
      results.push({
        streams: level,
        rssPerStream: (memory.rss - idle.rss) / level,
        heapPerStream: (memory.heapUsed + memory.external - idle.heapUsed - idle.external) / level,
        rssTotal: memory.rss,
      });
    }
    return { idle, levels: results };
  } finally {
    for (const stream of streams) stream.close();
    await server.stop();
  }
}

export async function benchCapacity(
  levels: readonly number[],
  heartbeatMs = 2000,
): Promise<CapacityResult> {
  const checkout = await measure('checkout', levels, heartbeatMs);
  const bare = await measure('bare', levels, heartbeatMs);
  return { heartbeatMs, idle: checkout.idle, checkout: checkout.levels, bare: bare.levels };
}
