// Debian's WebKitGTK (Safari's engine) for the tests: WebKitWebDriver (`webkit2gtk-driver`)
// driving the MiniBrowser of `libwebkit2gtk-4.1-0` on a virtual desktop of its own
// (scripts/x-display.mjs), through WebDriver classic. `startWebKit()` starts the desktop and the
// driver; its `capabilities` open a MiniBrowser session with webdriverio's `remote()`.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { endProcess, startDisplay } from './x-display.mjs';

export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH =
  process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/**
 * What a session asks WebKitWebDriver for. WebDriver classic: WebKitWebDriver 2.50 has no
 * WebDriver BiDi, which webdriverio 9 would otherwise ask for.
 */
export const WEBKIT_CAPABILITIES = Object.freeze({
  browserName: 'MiniBrowser',
  'wdio:enforceWebDriverClassic': true,
  'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
});

/** A port nothing listens on now (WebKitWebDriver takes no port 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the driver answers `GET /status` as ready; rejects if it exits first. */
async function driverReady(driver, url) {
  let exited;
  const exit = new Promise((_, reject) => {
    driver.once('exit', (code, signal) => {
      exited = new Error(`WebKitWebDriver exited (${signal ?? code}) before it was ready`);
      reject(exited);
    });
  });
  exit.catch(() => {});
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw exited;
    try {
      const status = await (await fetch(`${url}/status`)).json();
      if (status?.value?.ready) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver at ${url} not ready in 30 s`);
    // The driver announces nothing when it listens: ask again shortly, or stop when it exits.
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exit]);
  }
}

/**
 * Starts a virtual desktop and WebKitWebDriver on it. Returns the driver's `hostname`/`port`,
 * the `capabilities` of a session, `setDesktop({ dark, animations })` (the colour scheme and
 * reduced motion that WebKitGTK reads from the desktop), and `close()`, which ends both.
 */
export async function startWebKit() {
  const display = await startDisplay();
  try {
    const port = await freePort();
    const driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`, '--host=local'], {
      env: display.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const endDriver = () => driver.exitCode === null && driver.kill('SIGTERM');
    process.once('exit', endDriver);
    try {
      await driverReady(driver, `http://127.0.0.1:${port}`);
    } catch (error) {
      await endProcess(driver);
      throw error;
    }
    return {
      hostname: '127.0.0.1',
      port,
      capabilities: structuredClone(WEBKIT_CAPABILITIES),
      get desktop() {
        return display.desktop;
      },
      setDesktop: (settings) => display.setDesktop(settings),
      async close() {
        process.removeListener('exit', endDriver);
        await endProcess(driver);
        await display.close();
      },
    };
  } catch (error) {
    await display.close();
    throw error;
  }
}
