// The QR code under forced colours (Windows high contrast), read from a screenshot as a phone
// camera would, in both palettes: dark (light text on black) and light. Chromium only: its
// emulation of `forced-colors: active` (Playwright's `forcedColors`, CDP
// `Emulation.setEmulatedMedia`) picks the dark or light system palette from
// `prefers-color-scheme`. Firefox forces colours only from its preferences
// (`browser.display.document_color_use`), WebKit not at all (it has no forced-colours mode).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startDemo, type Demo } from '../../demo/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { decodeQrPng } from '../helpers/qr-png.js';

describe('the QR code under forced colours, from a screenshot (Chromium)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cup-qr-forced-'));
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    demo = await startDemo({ port: 0, sandboxPort: 0, dataDir });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const colorScheme of ['dark', 'light'] as const) {
    it(`decodes in the ${colorScheme} palette`, async () => {
      const context = await browser.newContext({ forcedColors: 'active', colorScheme });
      try {
        const page = await context.newPage();
        await page.goto(`${demo.url}/`);
        assert.equal(
          await page.evaluate(() => matchMedia('(forced-colors: active)').matches),
          true,
          'forced colours are on',
        );
        await page.waitForFunction(
          () =>
            document.querySelector('cup-qr-checkout')?.getAttribute('status') ===
            'awaiting-customer',
          undefined,
          { timeout: 20_000 },
        );
        const shot = await page.locator('cup-qr-checkout').screenshot();
        const data = decodeQrPng(shot, `the element under forced colours (${colorScheme})`);
        assert.ok(data.startsWith(`${demo.sandbox!.url}/bank/`), data);
      } finally {
        await context.close();
      }
    });
  }
});
