// A web-test-runner reporter that shows how long each browser engine took for its part of the
// run (its first test file starting to its last one finished, browser start included), under
// the progress bars: "engines: Chromium 24.1 s, Firefox 26.9 s, WebKit 25.3 s".
export function engineTimesReporter() {
  /** Per engine name: when its first test file started and its last one finished. */
  const times = new Map();
  return {
    start({ sessions }) {
      sessions.on('session-status-updated', (session) => {
        const name = session.browser.name;
        const time = times.get(name) ?? { start: undefined, end: undefined };
        if (session.status === 'INITIALIZING') time.start ??= Date.now();
        if (session.status === 'FINISHED') time.end = Date.now();
        times.set(name, time);
      });
    },
    getTestProgress() {
      const parts = [...times]
        .filter(([, time]) => time.start !== undefined)
        .map(
          ([name, { start, end }]) =>
            `${name} ${(((end ?? Date.now()) - start) / 1000).toFixed(1)} s`,
        );
      return parts.length > 0 ? [`engines: ${parts.join(', ')}`, ''] : [];
    },
  };
}
