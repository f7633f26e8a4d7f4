/**
 * Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi (no browser download),
 * headless, with the path and flags of scripts/firefox.mjs.
 */
import puppeteer from 'puppeteer-core';
import type { Browser } from 'puppeteer-core';
import { FIREFOX_LAUNCH_OPTIONS } from '../../scripts/firefox.mjs';

export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({ ...FIREFOX_LAUNCH_OPTIONS, args: [...FIREFOX_LAUNCH_OPTIONS.args] });
}
