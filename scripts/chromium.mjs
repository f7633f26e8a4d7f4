// Debian's Chromium, for every browser this project starts (web-test-runner, Playwright in the
// Node tests, the benchmark): CHROMIUM_PATH or /usr/bin/chromium, with the flags that a root
// container with a closed network needs.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
