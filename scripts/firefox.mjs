// Debian's Firefox ESR for the tests, driven by puppeteer-core over WebDriver BiDi (no browser
// download): FIREFOX_PATH or /usr/bin/firefox-esr, headless. Puppeteer's media emulation is
// CDP-only, so `setFirefoxMedia` sets the live preferences behind `prefers-color-scheme` and
// `prefers-reduced-motion` from the browser's chrome context, which `--remote-allow-system-access`
// opens to the BiDi client.
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export const FIREFOX_ARGS = ['--remote-allow-system-access'];

/** What puppeteer-core's `launch()` needs for Debian's Firefox. */
export const FIREFOX_LAUNCH_OPTIONS = Object.freeze({
  browser: 'firefox',
  executablePath: FIREFOX_PATH,
  headless: true,
  args: FIREFOX_ARGS,
});

const COLOR_SCHEME_PREF = 'layout.css.prefers-color-scheme.content-override';
const REDUCED_MOTION_PREF = 'ui.prefersReducedMotion';
/** `layout.css.prefers-color-scheme.content-override`: 0 dark, 1 light. */
const COLOR_SCHEMES = { dark: 0, light: 1 };
const REDUCED_MOTION = { 'no-preference': 0, reduce: 1 };

/** The chrome-privileged script that sets (a number) or clears (null) each preference. */
function prefsScript(prefs) {
  return `(() => {
    for (const [name, value] of Object.entries(${JSON.stringify(prefs)})) {
      if (value === null) Services.prefs.clearUserPref(name);
      else Services.prefs.setIntPref(name, value);
    }
    return true;
  })()`;
}

function prefValue(table, value, name) {
  if (value === null) return null;
  if (!Object.hasOwn(table, value)) {
    throw new Error(`${name} "${value}" cannot be emulated in Firefox: ${Object.keys(table)}`);
  }
  return table[value];
}

/**
 * Sets `colorScheme` ('light' | 'dark', null for the default) and `reducedMotion`
 * ('reduce' | 'no-preference', null for the default) for every page of `browser` (a
 * puppeteer-core Firefox). An option left out is left as it is. The change reaches pages
 * asynchronously: wait for `matchMedia` in the page.
 */
export async function setFirefoxMedia(browser, { colorScheme, reducedMotion }) {
  const prefs = {};
  if (colorScheme !== undefined) {
    prefs[COLOR_SCHEME_PREF] = prefValue(COLOR_SCHEMES, colorScheme, 'colorScheme');
  }
  if (reducedMotion !== undefined) {
    prefs[REDUCED_MOTION_PREF] = prefValue(REDUCED_MOTION, reducedMotion, 'reducedMotion');
  }
  if (Object.keys(prefs).length === 0) return;
  const { connection } = browser;
  const tree = await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = tree.result.contexts[0]?.context;
  if (!context) throw new Error('Firefox shows no chrome context (--remote-allow-system-access?)');
  const { result } = await connection.send('script.evaluate', {
    expression: prefsScript(prefs),
    target: { context },
    awaitPromise: false,
  });
  if (result.type !== 'success') {
    throw new Error(`Firefox refused the preferences: ${JSON.stringify(result)}`);
  }
}
