/**
 * Debian's WebKitGTK (MiniBrowser through WebKitWebDriver) on a virtual desktop of its own,
 * driven by webdriverio over WebDriver classic: scripts/webkit.mjs. `close()` ends the session,
 * the driver and the desktop.
 */
import { remote } from 'webdriverio';
import { startWebKit } from '../../scripts/webkit.mjs';

export interface WebKitSession {
  browser: WebdriverIO.Browser;
  close(): Promise<void>;
}

export async function launchWebKit(): Promise<WebKitSession> {
  const webkit = await startWebKit();
  try {
    const browser = await remote({
      hostname: webkit.hostname,
      port: webkit.port,
      capabilities: webkit.capabilities,
      logLevel: 'error',
    });
    return {
      browser,
      async close() {
        try {
          await browser.deleteSession();
        } finally {
          await webkit.close();
        }
      },
    };
  } catch (error) {
    await webkit.close();
    throw error;
  }
}
