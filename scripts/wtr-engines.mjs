// web-test-runner launchers for the three engines of the browser suite, all from Debian's
// packages: Chromium (puppeteer-core over CDP, web-test-runner's own launcher), Firefox ESR
// (puppeteer-core over WebDriver BiDi) and WebKitGTK (webdriverio and WebKitWebDriver, on a
// virtual desktop of its own).
//
// The tests use @web/test-runner-commands (`setViewport`, `emulateMedia`, `sendKeys`). The
// runner's built-in command plugins serve them over CDP or Playwright and throw for the rest
// (Firefox's media emulation, WebKit's viewport and media) rather than pass a command on. So the
// Firefox and WebKit launchers serve those commands themselves (`engineCommand`), through one
// plugin that each of them puts ahead of the built-in ones when the runner hands it its config.
import * as puppeteer from 'puppeteer-core';
import { ChromeLauncher } from '@web/test-runner-chrome';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import { Key } from 'webdriverio';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { FIREFOX_LAUNCH_OPTIONS, setFirefoxMedia } from './firefox.mjs';
import { WEBKIT_CAPABILITIES, startWebKit } from './webkit.mjs';
import { DEFAULT_DESKTOP } from './x-display.mjs';

/** The engines, by the name `WTR_ENGINES` (comma-separated) picks them with. */
export const ENGINES = ['chromium', 'firefox', 'webkit'];

/** The viewport every test file starts with (web-test-runner's own default). */
const DEFAULT_VIEWPORT = Object.freeze({ width: 800, height: 600 });

const COMMANDS_PLUGIN = 'engine-commands';

/** Serves a command with the session's launcher when that launcher has its own way. */
const engineCommands = {
  name: COMMANDS_PLUGIN,
  async executeCommand({ command, payload, session }) {
    const launcher = session.browser;
    if (typeof launcher.engineCommand !== 'function') return undefined;
    return launcher.engineCommand(session.id, command, payload);
  },
};

/** Puts `engineCommands` first in the runner's plugins (the array the runner reads commands from). */
function serveCommandsFirst(plugins) {
  const at = plugins.findIndex((plugin) => plugin.name === COMMANDS_PLUGIN);
  if (at === 0) return;
  if (at > 0) plugins.splice(at, 1);
  plugins.unshift(engineCommands);
}

/**
 * The media queries a `emulateMedia` payload asks for, as `[query, matches]` pairs, to wait for
 * in the page. A null value (back to the default) is not waited for.
 */
function wantedMedia({ colorScheme, reducedMotion, media, forcedColors }, engine) {
  if (media != null || forcedColors != null) {
    throw new Error(
      `emulateMedia: only colorScheme and reducedMotion can be emulated in ${engine}; ` +
        'a test that needs more runs in Chromium only and says so in its name',
    );
  }
  const wanted = [];
  if (colorScheme != null) wanted.push(['(prefers-color-scheme: dark)', colorScheme === 'dark']);
  if (reducedMotion != null) {
    wanted.push(['(prefers-reduced-motion: reduce)', reducedMotion === 'reduce']);
  }
  return wanted;
}

/**
 * In the page: resolves (and calls `done`, for WebDriver's async scripts) once every
 * `[query, matches]` of `wanted` holds, from its `change` event; fails after 10 s.
 */
function mediaSettled(wanted, done) {
  const settled = new Promise((resolve, reject) => {
    const guard = setTimeout(
      () => reject(new Error(`media not applied in 10 s: ${JSON.stringify(wanted)}`)),
      10000,
    );
    const each = wanted.map(
      ([query, matches]) =>
        new Promise((ok) => {
          const list = matchMedia(query);
          if (list.matches === matches) return ok();
          const onChange = () => {
            if (list.matches !== matches) return;
            list.removeEventListener('change', onChange);
            ok();
          };
          list.addEventListener('change', onChange);
          return undefined;
        }),
    );
    Promise.all(each).then(() => {
      clearTimeout(guard);
      resolve(true);
    });
  });
  if (done) settled.then(done, (error) => done(String(error)));
  return settled;
}

/**
 * In the page (a WebDriver async script): calls `done(true)` once the viewport is no longer
 * `fromWidth` x `fromHeight` and has kept its size for three frames; one that keeps its size for
 * 30 frames (asked for the size it has, or narrower than it can get) or 5 s is taken as it is.
 */
function viewportSettled(fromWidth, fromHeight, done) {
  const started = performance.now();
  let last = '';
  let steady = 0;
  const check = () => {
    const size = `${innerWidth}x${innerHeight}`;
    steady = size === last ? steady + 1 : 0;
    last = size;
    const moved = innerWidth !== fromWidth || innerHeight !== fromHeight;
    if ((moved && steady >= 3) || steady >= 30 || performance.now() - started > 5000) done(true);
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

/** What `mediaSettled` passed to `done` in a WebDriver async script: true, or its error. */
function asyncScriptDone(result) {
  if (result !== true) throw new Error(String(result));
}

/**
 * Chromium: web-test-runner's launcher on Debian's Chromium; its built-in commands work, and
 * `emulateMedia` gains `forcedColors` (which the built-in command drops for puppeteer): CDP's
 * `Emulation.setEmulatedMedia` with `forced-colors` beside the colour scheme and reduced motion,
 * so that `forcedColors: 'active', colorScheme: 'dark'` is Windows' dark high-contrast palette.
 */
class ChromiumLauncher extends ChromeLauncher {
  #clients = new WeakMap();

  constructor() {
    super(
      { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] },
      ({ browser }) => browser.defaultBrowserContext(),
      ({ context }) => context.newPage(),
      undefined,
      undefined,
    );
    this.name = 'Chromium';
  }

  async initialize(config, testFiles) {
    await super.initialize(config, testFiles);
    serveCommandsFirst(config.plugins);
  }

  async engineCommand(sessionId, command, payload) {
    if (command !== 'emulate-media' || payload?.forcedColors == null) return undefined;
    const { colorScheme, reducedMotion, forcedColors } = payload;
    const features = [{ name: 'forced-colors', value: forcedColors }];
    if (colorScheme != null) features.push({ name: 'prefers-color-scheme', value: colorScheme });
    if (reducedMotion != null) {
      features.push({ name: 'prefers-reduced-motion', value: reducedMotion });
    }
    // Puppeteer's emulateMediaFeatures refuses `forced-colors`: CDP itself takes it, on a
    // session kept with the page (a session's emulation ends when it is detached).
    const page = this.getPage(sessionId);
    let client = this.#clients.get(page);
    if (!client) {
      client = await page.createCDPSession();
      this.#clients.set(page, client);
    }
    await client.send('Emulation.setEmulatedMedia', { features });
    return true;
  }
}

export function chromiumLauncher() {
  return new ChromiumLauncher();
}

/**
 * Firefox ESR: web-test-runner's puppeteer launcher given puppeteer-core and Firefox.
 * `setViewport` and `sendKeys` work over BiDi as they are; `emulateMedia` sets Firefox's
 * preferences, which are the whole browser's: every test file starts from the defaults again.
 */
class FirefoxLauncher extends ChromeLauncher {
  #mediaChanged = false;

  constructor() {
    super(
      { ...FIREFOX_LAUNCH_OPTIONS, args: [...FIREFOX_LAUNCH_OPTIONS.args] },
      ({ browser }) => browser.defaultBrowserContext(),
      ({ context }) => context.newPage(),
      puppeteer,
      undefined,
    );
  }

  async initialize(config, testFiles) {
    await super.initialize(config, testFiles);
    serveCommandsFirst(config.plugins);
  }

  async startSession(sessionId, url) {
    if (this.#mediaChanged) {
      const { browser } = await this.getOrStartBrowser();
      await setFirefoxMedia(browser, { colorScheme: null, reducedMotion: null });
      this.#mediaChanged = false;
    }
    return super.startSession(sessionId, url);
  }

  async engineCommand(sessionId, command, payload) {
    if (command !== 'emulate-media') return undefined;
    const wanted = wantedMedia(payload ?? {}, 'Firefox');
    const page = this.getPage(sessionId);
    this.#mediaChanged = true;
    await setFirefoxMedia(page.browser(), payload);
    await page.evaluate(mediaSettled, wanted);
    return true;
  }
}

export function firefoxLauncher() {
  return new FirefoxLauncher();
}

/** A `sendKeys` key name (Puppeteer's and Playwright's) as a WebDriver key value. */
function webdriverKey(name) {
  if ([...name].length === 1) return name;
  if (name === 'Meta') return Key.Command;
  if (Object.hasOwn(Key, name)) return Key[name];
  throw new Error(`sendKeys: no WebDriver key for "${name}"`);
}

/**
 * WebKitGTK: web-test-runner's WebDriver launcher on MiniBrowser, with the virtual desktop and
 * WebKitWebDriver started on the first session and ended with the launcher. It serves:
 * - `setViewport`: resizes the window so that its page gets the size asked for (MiniBrowser's
 *   window is at least 447 px wide: a narrower viewport comes out 447 px wide);
 * - `emulateMedia`: the desktop's theme (colour scheme) and animation setting (reduced motion);
 * - `sendKeys`: one key down and up at a time (WebKitWebDriver drops a key-down for a key that
 *   is already down, which the built-in command's all-down-then-all-up sends for "aa").
 */
class WebKitLauncher extends WebdriverLauncher {
  #webkit;

  constructor() {
    super({ capabilities: structuredClone(WEBKIT_CAPABILITIES), logLevel: 'error' });
  }

  async initialize(config, testFiles) {
    await super.initialize(config, testFiles);
    this.name = 'WebKit';
    serveCommandsFirst(config.plugins);
  }

  async startSession(sessionId, url) {
    this.#webkit ??= startWebKit();
    const webkit = await this.#webkit;
    Object.assign(this.options, { hostname: webkit.hostname, port: webkit.port });
    await this.ensureManagerInitialized();
    // Each test file from the same start: the default window and desktop.
    await this.#setViewport(DEFAULT_VIEWPORT);
    await this.#setDesktop(DEFAULT_DESKTOP);
    return super.startSession(sessionId, url);
  }

  async stop() {
    await super.stop();
    const webkit = this.#webkit;
    this.#webkit = undefined;
    await (await webkit?.catch(() => undefined))?.close();
  }

  async engineCommand(_sessionId, command, payload) {
    switch (command) {
      case 'set-viewport':
        await this.#setViewport(payload);
        return true;
      case 'emulate-media': {
        wantedMedia(payload ?? {}, 'WebKit');
        const { colorScheme, reducedMotion } = payload;
        await this.#setDesktop({
          ...(colorScheme != null ? { dark: colorScheme === 'dark' } : {}),
          ...(reducedMotion != null ? { animations: reducedMotion !== 'reduce' } : {}),
        });
        return true;
      }
      case 'send-keys':
        await this.#sendKeys(payload);
        return true;
      default:
        return undefined;
    }
  }

  async #setViewport(size) {
    const { width, height } = size ?? {};
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new Error(`setViewport: width and height in whole pixels, not ${JSON.stringify(size)}`);
    }
    const { driver } = this;
    const window = await driver.getWindowSize();
    const [innerWidth, innerHeight] = await driver.execute(() => [innerWidth, innerHeight]);
    if (innerWidth === width && innerHeight === height) return;
    await driver.setWindowSize(
      width + window.width - innerWidth,
      height + window.height - innerHeight,
    );
    // The page sees its new size a frame or more later: a test that goes on at once lays out
    // (and evaluates its `@media` rules) at the old one. Wait until it stops changing.
    asyncScriptDone(await driver.executeAsync(viewportSettled, innerWidth, innerHeight));
    // WebKitGTK 2.50 leaves adopted style sheets' `@media (max-width)` rules as they were (the
    // phone styles stay off); a colour-scheme flip and back restyles the page.
    const webkit = await this.#webkit;
    const { desktop } = webkit;
    await this.#setDesktop({ dark: !desktop.dark });
    await this.#setDesktop({ dark: desktop.dark });
  }

  /**
   * Applies `settings` to the desktop and waits until the page sees them. WebKitGTK 2.50 does
   * not restyle for a live change of reduced motion (matchMedia changes, the `@media` rules
   * stay): a colour-scheme flip and back forces the restyle.
   */
  async #setDesktop(settings) {
    const webkit = await this.#webkit;
    const from = webkit.desktop;
    const to = { ...from, ...settings };
    if (to.dark === from.dark && to.animations === from.animations) return;
    const wait = (desktop) =>
      this.driver.executeAsync(mediaSettled, [
        ['(prefers-color-scheme: dark)', desktop.dark],
        ['(prefers-reduced-motion: reduce)', !desktop.animations],
      ]);
    if (to.animations !== from.animations) {
      const flipped = { ...to, dark: !to.dark };
      webkit.setDesktop(flipped);
      asyncScriptDone(await wait(flipped));
    }
    webkit.setDesktop(to);
    asyncScriptDone(await wait(to));
  }

  async #sendKeys(payload) {
    if (typeof payload !== 'object' || payload === null) {
      throw new Error('sendKeys: give { type }, { press }, { down } or { up }');
    }
    const actions = [];
    const tap = (key) =>
      actions.push({ type: 'keyDown', value: key }, { type: 'keyUp', value: key });
    if ('type' in payload) for (const char of payload.type) tap(char);
    else if ('press' in payload) {
      // "Shift+Tab": every key down in order, then up in reverse.
      const keys = payload.press.split(/\+(?!$)/).map(webdriverKey);
      for (const key of keys) actions.push({ type: 'keyDown', value: key });
      for (const key of keys.reverse()) actions.push({ type: 'keyUp', value: key });
    } else if ('down' in payload)
      actions.push({ type: 'keyDown', value: webdriverKey(payload.down) });
    else if ('up' in payload) actions.push({ type: 'keyUp', value: webdriverKey(payload.up) });
    else throw new Error('sendKeys: give { type }, { press }, { down } or { up }');
    await this.driver.performActions([{ type: 'key', id: 'keyboard', actions }]);
  }
}

export function webkitLauncher() {
  return new WebKitLauncher();
}

/** The launcher of one engine of `ENGINES`. */
export function engineLauncher(name) {
  const make = { chromium: chromiumLauncher, firefox: firefoxLauncher, webkit: webkitLauncher };
  if (!Object.hasOwn(make, name)) {
    throw new Error(`unknown browser engine "${name}": one of ${ENGINES.join(', ')}`);
  }
  return make[name]();
}
