// What `npm run build` makes and `npm pack` ships: the bundles, the types, the manifest, and
// nothing else (no tests, no demo, no data, no secrets). Then the built files are used as a
// consumer would: the server entry from Node, the classic script in Chromium.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DEMO_SECRET_KEY } from '../../src/cli/commands/sandbox.js';
import { payloadKeyOf } from '../../src/server/payload.js';
import { toNodeHandler } from '../../src/server/node-adapter.js';
import { base64UrlEncodeText } from '../../src/wire/payload.js';
import { launchChromium } from '../helpers/chromium.js';
import { decodeQrPng } from '../helpers/qr-png.js';
import { startShop } from '../helpers/toolkit.js';
import type { Page } from 'playwright-core';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const dist = (path: string): URL => new URL(`dist/${path}`, root);

/** Every file under a folder, as paths relative to the repository. */
function filesUnder(folder: string): string[] {
  return readdirSync(new URL(folder, root), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath ?? entry.path}/${entry.name}`.slice(root.pathname.length));
}

/**
 * The secret keys that must never be built in: every key the tests and benchmarks sign with
 * (`SECRET_KEY = '…'`, `secretKey: '…'`, 8 characters or more), the key in the environment of
 * this build, and the payload keys derived from them. Not the sandbox's `sandbox-secret-key`:
 * it is the public demo key, documented, and the sandbox CLI's default on purpose.
 */
function realSecrets(): string[] {
  const keys = new Set<string>();
  for (const path of [...filesUnder('test/'), ...filesUnder('bench/')]) {
    if (!/\.(ts|mjs|js)$/.test(path)) continue;
    const text = readFileSync(new URL(path, root), 'utf8');
    for (const match of text.matchAll(
      /(?:SECRET_KEY|SECRET|secretKey|KEY)\s*[:=]\s*'([^']{8,})'/g,
    )) {
      keys.add(match[1]);
    }
  }
  const fromEnv = process.env.ECOMMPAY_SECRET_KEY;
  if (fromEnv && fromEnv.length >= 8) keys.add(fromEnv);
  keys.delete(DEMO_SECRET_KEY);
  return [...keys].flatMap((key) => {
    const derived = payloadKeyOf({ secretKey: key });
    return [key, derived.toString('hex'), derived.toString('base64url')];
  });
}

/**
 * The self-contained bundles' ceiling, gzipped (Lit included): it stops
 * growth. The product's target is 20 KiB; README's Limits gives the figure this test prints.
 * Raised from 24 to 25 KiB when issue #13 added its refusals' words (zh-CN and en) and rules to
 * the element (24,633 bytes); from 25 to 26 KiB when issue #14 added the embedded Payment Page
 * (its frame controller and words, about 750 bytes) to a bundle that the rest of #14 had brought
 * to about 25,150 bytes; issue #17 loads the customer form on demand (its companion file,
 * `cup-qr-checkout.form.js`), 25,515 -> about 24,130 bytes: lowered to 24 KiB on the way to
 * the product's 20 KiB; raised to 25 KiB when issue #16 (the same-phone flow, spoken amount and
 * time, lang marking, forced colours, focus) and #18 (bad answers) added about 1,000 bytes; the
 * form's words then moved into the form's file and the QR image export into its own
 * (`cup-qr-checkout.png.js`, loaded on the first "save image"): about 800 bytes less (24,218 as this test counts): 24,300;
 * the Payment Page mode (`cup-qr-checkout.page.js`) and the form's and the frame's CSS, the QR
 * encoder (`cup-qr-checkout.qr.js`, asked for as an attempt starts: it arrives during the
 * create-payment round trip) with the QR view and its CSS, and the English words
 * (`cup-qr-checkout.en.js`) then moved into their files, and the element's properties gave up
 * decorators: 19,942 bytes, within the product's 20 KiB, which is now the ceiling.
 */
const BUNDLE_BUDGET_GZIP_BYTES = 20_480;

describe('the built package', () => {
  let files: string[] = [];

  before(async () => {
    await run('npm', ['run', 'build'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  });

  it('ships the entries of package.json, the bundles, types and custom-elements.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    const wanted = [
      'bin/cup-qr-checkout.js',
      'dist/cup-qr-checkout.esm.js',
      'dist/cup-qr-checkout.min.js',
      'dist/cup-qr-checkout.qr.js',
      'dist/cup-qr-checkout.form.js',
      'dist/cup-qr-checkout.page.js',
      'dist/cup-qr-checkout.png.js',
      'dist/custom-elements.json',
      'dist/cli/index.js',
      ...Object.values(pkg.exports as Record<string, string | Record<string, string>>).flatMap(
        (entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)),
      ),
    ].map((path) => path.replace(/^\.\//, ''));
    for (const path of wanted) assert.ok(files.includes(path), `${path} is not in the package`);
    assert.equal(pkg.customElements, 'dist/custom-elements.json');
  });

  it('ships no tests, demo, data, sources or secrets', () => {
    const unwanted = files.filter((path) =>
      /^(test|demo|data|src|bench|scripts|\.ci)\/|\.sqlite|\.env|\.test\./.test(path),
    );
    assert.deepEqual(unwanted, []);
    for (const path of files.filter((p) => p.endsWith('.js'))) {
      const text = readFileSync(new URL(path, root), 'utf8');
      assert.ok(!text.includes('wtr-test-secret'), `${path} holds a test secret`);
    }
  });

  it('holds no real secret key in any file of dist/', (t) => {
    const secrets = realSecrets();
    for (const known of [
      'toolkit-test-secret',
      'wtr-test-secret',
      'security-test-wrong-secret-key',
    ]) {
      assert.ok(secrets.includes(known), `${known} is looked for`);
    }
    const built = filesUnder('dist/');
    const found = built.flatMap((path) => {
      const text = readFileSync(new URL(path, root), 'latin1');
      return secrets.filter((secret) => text.includes(secret)).map((s) => `${s} in ${path}`);
    });
    t.diagnostic(`${secrets.length} secret forms looked for in ${built.length} files of dist/`);
    assert.deepEqual(found, []);
  });

  it('describes the element in custom-elements.json', () => {
    const manifest = JSON.parse(readFileSync(dist('custom-elements.json'), 'utf8'));
    const element = manifest.modules
      .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
      .find((d: { tagName?: string }) => d.tagName === 'cup-qr-checkout');
    assert.ok(element, 'no cup-qr-checkout in the manifest');
    const names = (list: { name: string }[]): string[] => list.map((x) => x.name);
    assert.deepEqual(names(element.events).sort(), [
      'cup-qr-customer',
      'cup-qr-decline',
      'cup-qr-error',
      'cup-qr-expire',
      'cup-qr-status',
      'cup-qr-success',
    ]);
    for (const part of ['qr', 'timer', 'amount', 'status', 'actions']) {
      assert.ok(names(element.cssParts).includes(part), `part ${part} is not documented`);
    }
    for (const attribute of ['payload', 'endpoint', 'locale', 'status', 'mode']) {
      assert.ok(names(element.attributes).includes(attribute), `attribute ${attribute}`);
    }
  });

  it(`keeps each self-contained bundle within ${BUNDLE_BUDGET_GZIP_BYTES} bytes gzipped`, (t) => {
    for (const name of ['cup-qr-checkout.esm.js', 'cup-qr-checkout.min.js']) {
      const size = gzipSync(readFileSync(dist(name)), { level: 9 }).length;
      t.diagnostic(`${name}: ${size} bytes gzipped (${(size / 1024).toFixed(1)} KiB)`);
      assert.ok(size <= BUNDLE_BUDGET_GZIP_BYTES, `${name} is ${size} bytes gzipped`);
    }
    // Loaded on demand beside either bundle (the QR companion while the payment is created).
    for (const [file, what] of [
      ['cup-qr-checkout.qr.js', 'as an attempt starts, the QR encoder and view'],
      ['cup-qr-checkout.form.js', 'on demand, the customer form'],
      ['cup-qr-checkout.page.js', 'on demand, the Payment Page mode'],
      ['cup-qr-checkout.png.js', 'on demand, the QR image export'],
      ['cup-qr-checkout.en.js', 'on an English page, the English words'],
    ]) {
      const size = gzipSync(readFileSync(dist(file!)), { level: 9 }).length;
      t.diagnostic(`${file} (${what}): ${size} bytes gzipped`);
    }
  });

  it('the built server entry signs like the sources (PROTOCOL.md vector 2)', async () => {
    const server = await import(dist('server/index.js').href);
    assert.equal(
      server.sign({ payment: { id: '000049', status: 'success' } }, 'secret'),
      '/3TrhHVz9BHaLfgLyhoxO7dsQNzbzZa/TdO3pxQocXWwgVM6tGlzMLVfpOxFNTnkR9iiFVK/77ZedMcbkCjmng==',
    );
    const sandbox = await import(dist('sandbox/index.js').href);
    assert.equal(typeof sandbox.startSandbox, 'function');
    // The guarded sign() is the only signer a merchant gets: the platform's own, which signs a
    // ";" as it is, stays inside the sandbox (no entry point exports it).
    assert.throws(() => server.sign({ city: '北京;x' }, 'secret'), /contains ";"/);
    for (const entry of [server, sandbox]) assert.equal(entry.signAsPlatform, undefined);
  });

  it('ships LICENSE, SECURITY.md and docs/, and every relative link of its Markdown resolves', (t) => {
    for (const path of ['LICENSE', 'README.md', 'SECURITY.md', 'docs/embedding.md']) {
      assert.ok(files.includes(path), `${path} is not in the package`);
    }
    assert.match(readFileSync(new URL('LICENSE', root), 'utf8'), /^MIT License/);
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    assert.equal(pkg.license, 'MIT');
    for (const field of ['repository', 'homepage', 'bugs']) assert.ok(pkg[field], field);
    const dead: string[] = [];
    let links = 0;
    for (const doc of files.filter((path) => path.endsWith('.md'))) {
      const text = readFileSync(new URL(doc, root), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/.test(target)) continue;
        const path = new URL(target.split('#')[0], new URL(doc, 'file:///')).pathname.slice(1);
        links++;
        // Folders of the repository (examples/, backends/) are linked on GitHub, not shipped.
        if (/^(examples|backends)(\/|$)/.test(path)) continue;
        if (!files.includes(path)) dead.push(`${doc}: ${target}`);
      }
    }
    t.diagnostic(
      `${links} relative links in ${files.filter((p) => p.endsWith('.md')).length} Markdown files`,
    );
    assert.deepEqual(dead, []);
  });

  it('custom-elements.json names modules the package ships', () => {
    const manifest = readFileSync(dist('custom-elements.json'), 'utf8');
    const paths = [...manifest.matchAll(/"(?:path|module)": "([^"]+)"/g)].map(([, path]) => path);
    assert.ok(paths.length > 0);
    for (const path of paths) assert.ok(files.includes(path), `${path} is not in the package`);
  });

  it('every source map carries its sources (the sources themselves are not shipped)', () => {
    const maps = files.filter((path) => path.endsWith('.map'));
    assert.ok(maps.length > 0);
    assert.deepEqual(
      maps.filter((path) => path.endsWith('.d.ts.map')),
      [],
      'declaration maps point at src/',
    );
    for (const path of maps) {
      const map = JSON.parse(readFileSync(new URL(path, root), 'utf8'));
      const missing = map.sources.filter(
        (_source: string, i: number) => typeof map.sourcesContent?.[i] !== 'string',
      );
      assert.deepEqual(missing, [], `${path} lacks sourcesContent`);
    }
  });

  it('the bundles and the manifest are reachable by package path', () => {
    for (const [specifier, file] of [
      ['cup-qr-checkout/dist/cup-qr-checkout.min.js', 'dist/cup-qr-checkout.min.js'],
      ['cup-qr-checkout/dist/cup-qr-checkout.esm.js', 'dist/cup-qr-checkout.esm.js'],
      ['cup-qr-checkout/dist/cup-qr-checkout.qr.js', 'dist/cup-qr-checkout.qr.js'],
      ['cup-qr-checkout/custom-elements.json', 'dist/custom-elements.json'],
      ['cup-qr-checkout/react', 'dist/react.js'],
      ['cup-qr-checkout/vue', 'dist/vue.js'],
    ]) {
      assert.equal(import.meta.resolve(specifier), new URL(file, root).href, specifier);
    }
  });

  describe('the classic script in Chromium', () => {
    /**
     * A payload that leaves the names and address open (the element reads it unverified, so
     * the form opens with no server; its MAC is never checked here).
     */
    const openPayload = `${base64UrlEncodeText(
      JSON.stringify({
        v: 1,
        ref: 'package-form',
        amount: 100,
        currency: 'CNY',
        description: 'tea',
        customer: { phone: '13632264147', email: 'a@example.com', zip: '100020', country: 'CN' },
        returnUrl: 'https://shop.example/',
        exp: 4102444800,
      }),
    )}.mac`;
    const pageWith = (
      attributes: string,
      lang = 'en',
    ): string => `<!doctype html><html lang="${lang}"><head>
      <script src="assets/cup-qr-checkout.min.js"></script></head>
      <body><cup-qr-checkout ${attributes}></cup-qr-checkout></body></html>`;
    /**
     * `/no-companion/…` serves the script without the form's file, `/no-english/…` without the
     * English words' file, as a CDN that copied only some of the files.
     */
    const http = createServer((req, res) => {
      const withheld = req.url!.match(/^\/no-(companion|english)\//)?.[1];
      const path = (req.url ?? '/').replace(/^\/no-(companion|english)/, '');
      const file = path.match(/^\/assets\/(cup-qr-checkout\.([a-z]+)\.js)$/);
      const missing = { companion: 'form', english: 'en' }[withheld ?? ''];
      if (file && file[2] !== missing) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' });
        res.end(readFileSync(dist(file[1]!)));
        return;
      }
      if (file) {
        res.writeHead(404).end();
        return;
      }
      const page = path.startsWith('/form')
        ? pageWith(`payload="${openPayload}" endpoint="/cup-qr"`)
        : pageWith('manual', path.startsWith('/zh') ? 'zh-CN' : 'en');
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy':
          "default-src 'self'; require-trusted-types-for 'script'; trusted-types lit-html",
      });
      res.end(page);
    });

    /** Opens `path` under the strict CSP; every console error and page error is collected. */
    async function open(path: string) {
      const browser = await launchChromium();
      const tab = await browser.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (error) => problems.push(error.message));
      tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      // The codes of the element's error events (the shadow text shows only the platform's).
      await tab.addInitScript(() => {
        const codes: unknown[] = ((window as unknown as { errorCodes: unknown[] }).errorCodes = []);
        document.addEventListener('cup-qr-error', (e) =>
          codes.push((e as CustomEvent).detail.code),
        );
      });
      const { port } = http.address() as { port: number };
      await tab.goto(`http://127.0.0.1:${port}${path}`);
      return { browser, tab, problems, port };
    }
    before(() => new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve)));
    after(() => new Promise<void>((resolve) => http.close(() => resolve())));

    it('defines <cup-qr-checkout> from one script tag, under a strict CSP', async () => {
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage();
        const problems: string[] = [];
        tab.on('pageerror', (error) => problems.push(error.message));
        tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
        const { port } = http.address() as { port: number };
        await tab.goto(`http://127.0.0.1:${port}/`);
        assert.equal(
          await tab.evaluate(() =>
            performance.getEntriesByType('resource').some((r) => r.name.includes('.form.js')),
          ),
          false,
          'a page with no open fields never loads the form',
        );
        assert.equal(
          await tab.evaluate(() =>
            performance.getEntriesByType('resource').some((r) => r.name.includes('.page.js')),
          ),
          false,
          'a page with no Payment Page payload never loads its file',
        );
        await tab.waitForFunction(() => customElements.get('cup-qr-checkout') !== undefined);
        await tab.waitForFunction(
          () => document.querySelector('cup-qr-checkout')?.getAttribute('status') === 'idle',
        );
        assert.deepEqual(problems, []);
      } finally {
        await browser.close();
      }
    });

    /** The element's heading and which `.en.js` files the page requested. */
    const wordsOf = (tab: Page) =>
      tab.evaluate(() => ({
        heading: document.querySelector('cup-qr-checkout')!.shadowRoot!.querySelector('h2')
          ?.textContent,
        english: performance
          .getEntriesByType('resource')
          .map((r) => r.name)
          .filter((name) => name.includes('.en.js')),
      }));
    const headingShown = () =>
      document.querySelector('cup-qr-checkout')?.shadowRoot?.querySelector('h2') !== null;

    it('speaks English from the words file beside it, and Chinese without loading it', async () => {
      const english = await open('/');
      try {
        await english.tab.waitForFunction(headingShown, undefined, { timeout: 20_000 });
        assert.deepEqual(await wordsOf(english.tab), {
          heading: 'Pay with UnionPay QR',
          english: [`http://127.0.0.1:${english.port}/assets/cup-qr-checkout.en.js`],
        });
        assert.deepEqual(english.problems, []);
      } finally {
        await english.browser.close();
      }
      const chinese = await open('/zh');
      try {
        await chinese.tab.waitForFunction(headingShown, undefined, { timeout: 20_000 });
        assert.deepEqual(await wordsOf(chinese.tab), { heading: '银联扫码支付', english: [] });
        assert.deepEqual(chinese.problems, []);
      } finally {
        await chinese.browser.close();
      }
    });

    it('speaks Chinese, and says which file is missing, when the English words cannot load', async () => {
      const { browser, tab, port } = await open('/no-english/');
      try {
        const warnings: string[] = [];
        tab.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
        await tab.reload();
        await tab.waitForFunction(headingShown, undefined, { timeout: 20_000 });
        assert.equal((await wordsOf(tab)).heading, '银联扫码支付');
        assert.equal(
          await tab.evaluate(() =>
            document.querySelector('cup-qr-checkout')!.getAttribute('status'),
          ),
          'idle',
        );
        assert.ok(
          warnings.some((w) =>
            w.includes(`http://127.0.0.1:${port}/no-english/assets/cup-qr-checkout.en.js`),
          ),
          warnings.join('\n'),
        );
      } finally {
        await browser.close();
      }
    });

    it('loads the customer form from the companion file beside it, under Trusted Types', async () => {
      const { browser, tab, problems, port } = await open('/form');
      try {
        await tab.waitForFunction(
          () =>
            document
              .querySelector('cup-qr-checkout')
              ?.shadowRoot?.querySelector('form[part="form"] [name="street"]') !== null,
          undefined,
          { timeout: 20_000 },
        );
        const state = await tab.evaluate(() => {
          const el = document.querySelector('cup-qr-checkout')!;
          return {
            status: el.getAttribute('status'),
            names: [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('[part~="input"]')].map(
              (input) => input.name,
            ),
            loaded: performance
              .getEntriesByType('resource')
              .map((r) => r.name)
              .filter((name) => name.includes('.form.js')),
          };
        });
        assert.equal(state.status, 'collecting');
        assert.deepEqual(state.names, ['last_name', 'first_name', 'city', 'street']);
        assert.deepEqual(state.loaded, [`http://127.0.0.1:${port}/assets/cup-qr-checkout.form.js`]);
        assert.deepEqual(problems, []);
      } finally {
        await browser.close();
      }
    });

    it('says which file is missing when the companion cannot load (status error)', async () => {
      const { browser, tab, port } = await open('/no-companion/form');
      try {
        await tab.waitForFunction(
          () => document.querySelector('cup-qr-checkout')?.getAttribute('status') === 'error',
          undefined,
          { timeout: 20_000 },
        );
        const text = await tab.evaluate(
          () => document.querySelector('cup-qr-checkout')!.shadowRoot!.textContent ?? '',
        );
        assert.ok(
          text.includes(`http://127.0.0.1:${port}/no-companion/assets/cup-qr-checkout.form.js`),
          text,
        );
        // The file is named; the internal code (form-unavailable) is for the page, not shown.
        assert.doesNotMatch(text, /form-unavailable/);
        const codes = await tab.evaluate(
          () => (window as unknown as { errorCodes: unknown }).errorCodes,
        );
        assert.deepEqual(codes, ['form-unavailable']);
      } finally {
        await browser.close();
      }
    });

    /**
     * A page of the real toolkit and sandbox (startShop) with the classic script, under the
     * strict CSP: `/cup-qr/…` goes to the shop's checkout (same origin), `/assets/…` serves
     * dist/. The test decides when the QR encoder's file is answered (`encoder`: held until
     * `release`, or 404 while `missing`) and when `POST /payments` goes through (`held`).
     */
    async function shopPage(t: TestContext) {
      const shop = await startShop(t);
      const routes = toNodeHandler(shop.checkout);
      const payload = shop.payload(`package-qr-${Date.now()}`);
      const seen: string[] = [];
      const waiters: { what: string; resolve: () => void }[] = [];
      const saw = (what: string): void => {
        seen.push(what);
        for (const w of waiters.filter((w) => what.startsWith(w.what))) w.resolve();
      };
      /** Resolves once a request starting with `what` has arrived (now or earlier); a guard stops a hung test. */
      const arrived = (what: string): Promise<void> =>
        seen.some((s) => s.startsWith(what))
          ? Promise.resolve()
          : new Promise((resolve, reject) => {
              const guard = setTimeout(() => reject(new Error(`never requested: ${what}`)), 20_000);
              waiters.push({
                what,
                resolve: () => {
                  clearTimeout(guard);
                  resolve();
                },
              });
            });
      const control = {
        missing: false,
        holdEncoder: false,
        holdPayments: false,
        heldEncoder: [] as (() => void)[],
        heldPayments: [] as (() => void)[],
      };
      const serveFile = (res: ServerResponse, file: string): void => {
        res.writeHead(200, { 'Content-Type': 'text/javascript' });
        res.end(readFileSync(dist(file)));
      };
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const url = req.url ?? '/';
        const path = url.split('?')[0];
        saw(`${req.method} ${url}`);
        if (path.startsWith('/cup-qr/')) {
          const forward = (): void => void routes(req, res);
          if (req.method === 'POST' && control.holdPayments) control.heldPayments.push(forward);
          else forward();
          return;
        }
        // The script and its companions; the encoder as the test says.
        const asset = path.match(/^\/assets\/(cup-qr-checkout\.([a-z]+)\.js)$/);
        if (asset && asset[2] !== 'qr') return serveFile(res, asset[1]);
        if (asset) {
          if (control.missing) return void res.writeHead(404).end();
          const answer = (): void => serveFile(res, 'cup-qr-checkout.qr.js');
          if (control.holdEncoder) control.heldEncoder.push(answer);
          else answer();
          return;
        }
        if (path !== '/') return void res.writeHead(404).end();
        res.writeHead(200, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy':
            "default-src 'self'; require-trusted-types-for 'script'; trusted-types lit-html",
        });
        res.end(`<!doctype html><html lang="en"><head>
          <script src="assets/cup-qr-checkout.min.js"></script></head>
          <body><cup-qr-checkout payload="${payload}" endpoint="/cup-qr"></cup-qr-checkout>
          </body></html>`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.after(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // A request the test still holds (a failed run) ends with the server.
            server.closeAllConnections();
          }),
      );
      const browser = await launchChromium();
      t.after(() => browser.close());
      const tab = await browser.newPage();
      await tab.addInitScript(() => {
        const codes: unknown[] = ((window as unknown as { errorCodes: unknown[] }).errorCodes = []);
        document.addEventListener('cup-qr-error', (e) =>
          codes.push((e as CustomEvent).detail.code),
        );
      });
      const { port } = server.address() as { port: number };
      const status = (expected: string) =>
        tab.waitForFunction(
          (s) => document.querySelector('cup-qr-checkout')?.getAttribute('status') === s,
          expected,
          { timeout: 20_000 },
        );
      /** What the element shows: its status, whether the code is drawn, the stage's height. */
      const shown = () =>
        tab.evaluate(() => {
          const el = document.querySelector('cup-qr-checkout')!;
          const root = el.shadowRoot!;
          return {
            status: el.getAttribute('status'),
            svg: root.querySelector('[part~="qr"] svg') !== null,
            skeleton: root.querySelector('[part~="qr"][part~="skeleton"]') !== null,
            stage: root.querySelector<HTMLElement>('[part~="stage"]')!.offsetHeight,
            text: root.textContent ?? '',
            paymentId: (el as unknown as { paymentSession?: { paymentId: string } }).paymentSession
              ?.paymentId,
            qr: (el as unknown as { paymentState?: { qr?: { data: string } } }).paymentState?.qr
              ?.data,
            stored: JSON.stringify(Object.values({ ...sessionStorage })),
          };
        });
      /** Resolves once the code is drawn. */
      const drawn = () =>
        tab.waitForFunction(
          () =>
            document
              .querySelector('cup-qr-checkout')
              ?.shadowRoot?.querySelector('[part~="qr"] svg'),
          undefined,
          { timeout: 20_000 },
        );
      /** The code as a phone reads it: from the element's pixels. */
      const scan = async () =>
        decodeQrPng(
          await tab.locator('cup-qr-checkout').screenshot(),
          'the screenshot of the element',
        );
      const url = `http://127.0.0.1:${port}`;
      return { shop, tab, control, seen, arrived, status, shown, drawn, scan, url };
    }

    it('asks for the QR encoder while the payment is created; the skeleton holds until it is there', async (t) => {
      const page = await shopPage(t);
      page.control.holdPayments = true;
      page.control.holdEncoder = true;
      await page.tab.goto(`${page.url}/`);
      // Both requests are out before the server has answered either: in parallel.
      await page.arrived('POST /cup-qr/payments');
      await page.arrived('GET /assets/cup-qr-checkout.qr.js');
      for (const forward of page.control.heldPayments.splice(0)) forward();
      page.control.holdPayments = false;
      await page.status('awaiting-customer');
      const waiting = await page.shown();
      assert.equal(waiting.svg, false, 'no code without its encoder');
      assert.equal(waiting.skeleton, true, 'the skeleton in its place');
      for (const answer of page.control.heldEncoder.splice(0)) answer();
      await page.drawn();
      const drawn = await page.shown();
      assert.equal(drawn.stage, waiting.stage, "the code takes the skeleton's place: no jump");
      assert.equal(await page.scan(), drawn.qr);
      assert.equal(
        page.seen.filter((r) => r.startsWith('GET /assets/cup-qr-checkout.qr.js')).length,
        1,
        'one request for the encoder',
      );
    });

    it('a QR encoder that cannot load: `qr-unavailable` naming the file, the payment kept; "Try again" shows its code', async (t) => {
      const page = await shopPage(t);
      page.control.missing = true;
      await page.tab.goto(`${page.url}/`);
      await page.status('error');
      const failed = await page.shown();
      assert.ok(
        failed.text.includes(`${page.url}/assets/cup-qr-checkout.qr.js`),
        `the file is named: ${failed.text}`,
      );
      assert.doesNotMatch(failed.text, /qr-unavailable/);
      const codes = await page.tab.evaluate(
        () => (window as unknown as { errorCodes: unknown }).errorCodes,
      );
      assert.deepEqual(codes, ['qr-unavailable']);
      // The payment is live at the platform: still stored in the tab, resumable.
      assert.ok(failed.paymentId, 'the attempt has its payment');
      assert.match(failed.stored, new RegExp(`${failed.paymentId}.*token`));
      // Back online (the file served again): "Try again" resumes that payment, no second sale.
      page.control.missing = false;
      await page.tab.locator('cup-qr-checkout').getByRole('button', { name: 'Try again' }).click();
      await page.drawn();
      const resumed = await page.shown();
      assert.equal(resumed.status, 'awaiting-customer');
      assert.equal(resumed.paymentId, failed.paymentId);
      assert.equal(
        page.seen.filter((r) => r.startsWith('POST /cup-qr/payments')).length,
        1,
        'one POST /payments: the retry resumed the stored attempt',
      );
      assert.ok(
        page.seen.some((r) => r.startsWith('GET /assets/cup-qr-checkout.qr.js?retry=')),
        'the retry asked for the file under a URL of its own',
      );
      assert.equal(await page.scan(), resumed.qr);
      assert.equal(page.shop.sandbox.control.saleRequests(), 1, 'one sale reached Gate');
      const record = await page.shop.store.getPayment(failed.paymentId!);
      assert.equal(record?.qr?.data, resumed.qr, "the code is that payment's");
    });
  });
});
