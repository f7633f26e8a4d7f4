/**
 * `npm run bench`: every benchmark, each figure beside its baseline measured in the same run,
 * printed as a table and written to bench/results.json.
 *
 *   BENCH_CHECKOUTS   open checkouts for push latency and polling (default 1000)
 *   BENCH_STREAMS     stream counts for capacity, comma-separated (default 2000,5000,10000;
 *                     capped by the open-file limit, since the client holds one socket each)
 *   BENCH_CALLBACKS   callbacks for throughput (default 5000)
 *   BENCH_BROWSER=0   skip the Chromium figures
 *
 * `--smoke` (CI, after the tests): every benchmark once at small sizes, so that none can rot
 * unnoticed. Its figures mean nothing and nothing is asserted on them; results.json is left
 * alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MemoryStore } from '../src/server/stores/memory.js';
import { openRedisStore } from '../src/server/stores/redis.js';
import { openSqliteStore } from '../src/server/stores/sqlite.js';
import { REDIS_SERVER, startRedis } from '../test/helpers/redis.js';
import { CHROMIUM_PATH } from '../test/helpers/chromium.js';
import { benchBrowser } from './browser/run.js';
import { benchCapacity } from './capacity.js';
import { pool, round } from './common.js';
import { benchPollingUnderForgery, benchRefusal } from './forged-callbacks.js';
import { benchPush } from './push.js';
import { benchSigner } from './signer.js';
import { benchThroughput } from './throughput.js';

interface Row {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};
const ms = (value: number): string => `${round(value, 1)} ms`;
const mib = (bytes: number): string => `${round(bytes / 2 ** 20, 0)} MiB`;
const kib = (bytes: number): string => `${round(bytes / 1024, 1)} KiB`;
const yes = (met: boolean): string => (met ? 'met' : 'MISSED');

function openFileLimit(): number {
  try {
    return Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return 1024;
  }
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

const started = performance.now();
const smoke = process.argv.includes('--smoke');
const checkouts = smoke ? 20 : Number(process.env.BENCH_CHECKOUTS ?? 1000);
const fdLimit = openFileLimit();
const requested = (smoke ? '50' : (process.env.BENCH_STREAMS ?? '2000,5000,10000'))
  .split(',')
  .map(Number);
// The bench process holds one socket per stream, plus its own files and the callback pool.
const streamCap = Math.max(100, fdLimit - 500);
const levels = requested.filter((n) => n <= streamCap);
if (levels.length < requested.length) levels.push(streamCap);
const callbacks = smoke ? 200 : Number(process.env.BENCH_CALLBACKS ?? 5000);
results.machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memory: totalmem(),
  node: process.version,
  openFileLimit: fdLimit,
};

// 1. Push latency against polling.
log(`push latency, ${checkouts} open checkouts, then polling at 2 s`);
const push = await benchPush(checkouts);
results.push = push;
const ratio = push.polling.p50 / push.push.p50;
rows.push({
  figure: `push latency p50/p99/max, ${checkouts} open checkouts`,
  value: `${ms(push.push.p50)} / ${ms(push.push.p99)} / ${ms(push.push.max)}`,
  baseline: `polling 2 s: ${ms(push.polling.p50)} / ${ms(push.polling.p99)} / ${ms(push.polling.max)}`,
  ratio: `${round(ratio, 0)}x faster (p50)`,
  target: 'p99 <= 50 ms',
  met: yes(push.push.p99 <= 50),
});

// 2. Streams one process holds.
log(`capacity, ${levels.join(', ')} streams (open-file limit ${fdLimit})`);
const capacity = await benchCapacity(levels);
results.capacity = capacity;
for (const [i, level] of capacity.checkout.entries()) {
  const bare = capacity.bare[i];
  rows.push({
    figure: `${level.streams} streams with heartbeats: RSS per stream (V8 heap)`,
    value: `${kib(level.rssPerStream)} (${kib(level.heapPerStream)}), RSS ${mib(level.rssTotal)}`,
    baseline: `bare node:http: ${kib(bare.rssPerStream)} (${kib(bare.heapPerStream)})`,
    ratio: `${round(level.rssPerStream / bare.rssPerStream, 1)}x bare`,
    target: level.streams >= 10_000 ? '10,000 streams < 1 GiB' : '',
    met: level.streams >= 10_000 ? yes(level.rssTotal < 2 ** 30) : '',
  });
}

// 3. Callback throughput.
log(`callback throughput, ${callbacks} callbacks`);
const dir = mkdtempSync(join(tmpdir(), 'cup-qr-bench-'));
const memory = await benchThroughput(new MemoryStore(), callbacks);
const sqliteStore = await openSqliteStore({ file: join(dir, 'throughput.sqlite') });
const sqlite = await benchThroughput(sqliteStore, callbacks);
await sqliteStore.close();
rmSync(dir, { recursive: true, force: true });
results.throughput = { memory, sqlite };
rows.push({
  figure: 'callbacks/s, SQLite store (verify, store, publish)',
  value: `${round(sqlite.perSecond, 0)}/s`,
  baseline: `memory store: ${round(memory.perSecond, 0)}/s`,
  ratio: `${round(sqlite.perSecond / memory.perSecond, 2)}x`,
  target: '>= 2,000/s',
  met: yes(sqlite.perSecond >= 2000),
});
if (existsSync(REDIS_SERVER)) {
  // The test helper's redis-server, with a stand-in for the test context's cleanup.
  const cleanups: (() => Promise<void>)[] = [];
  const context = { after: (fn: () => Promise<void>) => cleanups.push(fn) };
  const server = await startRedis(context as unknown as TestContext);
  const redisStore = await openRedisStore({ url: server.url });
  const redis = await benchThroughput(redisStore, callbacks);
  await redisStore.close();
  for (const cleanup of cleanups) await cleanup();
  results.throughput = { memory, sqlite, redis };
  rows.push({
    figure: 'callbacks/s, Redis store (local redis-server)',
    value: `${round(redis.perSecond, 0)}/s`,
    baseline: `memory store: ${round(memory.perSecond, 0)}/s`,
    ratio: `${round(redis.perSecond / memory.perSecond, 2)}x`,
    target: '',
    met: '',
  });
}

// 4. Forged callbacks.
log('forged callbacks: the cost of a refusal, then a status poll under 30 forged/s');
const refusal = await benchRefusal(smoke ? 100 : undefined);
const polling = await (smoke ? benchPollingUnderForgery(30, 500) : benchPollingUnderForgery());
results.forgedCallbacks = { refusal, polling };
rows.push({
  figure: `refusing a forged ${kib(refusal.bytes)} callback p50/p99`,
  value: `${ms(refusal.forged.p50)} / ${ms(refusal.forged.p99)}`,
  baseline: `valid small callback: ${ms(refusal.valid.p50)} / ${ms(refusal.valid.p99)}`,
  ratio: `${round(refusal.forged.p50 / refusal.valid.p50, 1)}x (p50)`,
  target: '<= 1 ms (p50)',
  met: yes(refusal.forged.p50 <= 1),
});
rows.push({
  figure: `status poll p50/p99, forged callbacks at ${polling.forgedPerSecond}/s`,
  value: `${ms(polling.underAttack.p50)} / ${ms(polling.underAttack.p99)}`,
  baseline: `no forged callbacks: ${ms(polling.quiet.p50)} / ${ms(polling.quiet.p99)}`,
  ratio: `${round(polling.underAttack.p50 / polling.quiet.p50, 2)}x (p50)`,
  target: 'within 2x (p50)',
  met: yes(polling.underAttack.p50 <= 2 * polling.quiet.p50),
});

// 5. Signing.
log('signature speed');
const signer = smoke ? benchSigner(1, 100) : benchSigner();
results.signer = signer;
rows.push({
  figure: `signatures/s, ${signer.messages} sale requests and callbacks`,
  value: `${round(signer.ours, 0)}/s`,
  baseline: `ecommpay npm signer: ${round(signer.official, 0)}/s`,
  ratio: `${round(signer.ratio, 2)}x`,
  target: 'at least as fast',
  met: yes(signer.ratio >= 1),
});

// 6. In Chromium.
if (process.env.BENCH_BROWSER !== '0' && existsSync(CHROMIUM_PATH)) {
  log('Chromium: first render and QR paint');
  const browser = await benchBrowser(smoke ? 2 : undefined);
  results.browser = browser;
  rows.push({
    figure: `QR status event -> QR painted p50/max, ${browser.runs} runs`,
    value: `${ms(browser.qrPaint.p50)} / ${ms(browser.qrPaint.max)}`,
    baseline: `one frame: ${ms(browser.frameMs)}`,
    ratio: `${round(browser.qrPaint.max / browser.frameMs, 2)} frames (max)`,
    target: 'within one frame',
    met: yes(browser.qrPaint.max <= browser.frameMs),
  });
  rows.push({
    figure: 'element first render p50/max',
    value: `${ms(browser.elementFirstRender.p50)} / ${ms(browser.elementFirstRender.max)}`,
    baseline: `empty Lit element: ${ms(browser.emptyLitFirstRender.p50)} / ${ms(browser.emptyLitFirstRender.max)}`,
    ratio: `${round(browser.elementFirstRender.p50 / browser.emptyLitFirstRender.p50, 1)}x`,
    target: '',
    met: '',
  });
} else {
  log('Chromium figures skipped');
}
pool.destroy();

results.seconds = round((performance.now() - started) / 1000, 0);
results.table = rows;
if (!smoke) {
  writeFileSync(
    fileURLToPath(new URL('./results.json', import.meta.url)),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}

const columns: (keyof Row)[] = ['figure', 'value', 'baseline', 'ratio', 'target', 'met'];
const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
const line = (cells: string[]): string =>
  `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(line(columns));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(columns.map((c) => row[c])));
console.log(
  `\n${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, ${results.seconds} s; bench/results.json written`,
);
