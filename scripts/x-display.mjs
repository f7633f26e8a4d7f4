// A virtual X desktop for browsers that need one (WebKitGTK has no headless mode): Xvfb on a
// free display, with an XSETTINGS daemon (xsettingsd) whose GTK theme and animation setting
// change live, which is how a GTK browser learns `prefers-color-scheme` and
// `prefers-reduced-motion`. Both are Debian packages (`xvfb`, `xsettingsd`); both processes end
// with `close()`, or with this process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const XVFB_PATH = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';
export const XSETTINGSD_PATH = process.env.XSETTINGSD_PATH ?? '/usr/bin/xsettingsd';

/** The desktop a test starts from: light theme, animations on. */
export const DEFAULT_DESKTOP = Object.freeze({ dark: false, animations: true });

function settingsText({ dark, animations }) {
  return [
    `Net/ThemeName "${dark ? 'Adwaita-dark' : 'Adwaita'}"`,
    `Gtk/EnableAnimations ${animations ? 1 : 0}`,
    '',
  ].join('\n');
}

/** Resolves with the display number Xvfb writes to its fd 3 once it accepts clients. */
function displayNumber(xvfb) {
  return new Promise((resolve, reject) => {
    let text = '';
    let stderr = '';
    xvfb.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
    xvfb.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code, signal) =>
      reject(new Error(`Xvfb exited (${signal ?? code}) before it was ready: ${stderr.trim()}`)),
    );
  });
}

/** Ends a child process and resolves when it is gone (at once if it already is). */
export function endProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts Xvfb and xsettingsd. `env` is what a program needs to open windows on this desktop;
 * `setDesktop({ dark, animations })` rewrites the settings and tells xsettingsd to reload them
 * (the change reaches GTK programs asynchronously: wait for its effect in the program).
 */
export async function startDisplay({ width = 1280, height = 1024 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cup-qr-display-'));
  const settingsFile = join(dir, 'xsettingsd.conf');
  const children = [];
  const endAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', endAll);

  try {
    const xvfb = spawn(
      XVFB_PATH,
      ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    children.push(xvfb);
    const display = `:${await displayNumber(xvfb)}`;
    const env = { ...process.env, DISPLAY: display };
    delete env.WAYLAND_DISPLAY;

    writeFileSync(settingsFile, settingsText(DEFAULT_DESKTOP));
    const xsettingsd = spawn(XSETTINGSD_PATH, ['--config', settingsFile], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(xsettingsd);
    // xsettingsd says on stderr when it owns the settings selection: from then on GTK reads it.
    await new Promise((resolve, reject) => {
      let stderr = '';
      xsettingsd.stderr.on('data', (chunk) => {
        stderr = (stderr + chunk).slice(-2000);
        if (stderr.includes('Took ownership of selection')) resolve();
      });
      xsettingsd.once('error', reject);
      xsettingsd.once('exit', (code, signal) =>
        reject(new Error(`xsettingsd exited (${signal ?? code}): ${stderr.trim()}`)),
      );
    });

    let current = DEFAULT_DESKTOP;
    return {
      display,
      env,
      /** The desktop settings now asked for. */
      get desktop() {
        return current;
      },
      setDesktop(settings) {
        current = Object.freeze({ ...current, ...settings });
        writeFileSync(settingsFile, settingsText(current));
        xsettingsd.kill('SIGHUP');
      },
      async close() {
        process.removeListener('exit', endAll);
        for (const child of [...children].reverse()) await endProcess(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    endAll();
    process.removeListener('exit', endAll);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
