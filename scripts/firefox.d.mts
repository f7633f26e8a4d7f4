import type { Browser } from 'puppeteer-core';

export declare const FIREFOX_PATH: string;
export declare const FIREFOX_ARGS: readonly string[];
export declare const FIREFOX_LAUNCH_OPTIONS: Readonly<{
  browser: 'firefox';
  executablePath: string;
  headless: true;
  args: readonly string[];
}>;
export declare function setFirefoxMedia(
  browser: Browser,
  media: {
    colorScheme?: 'light' | 'dark' | null;
    reducedMotion?: 'reduce' | 'no-preference' | null;
  },
): Promise<void>;
