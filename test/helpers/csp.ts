/**
 * Collects the `securitypolicyviolation` events of every page and frame of a Playwright context
 * (from before a page's first script runs), so a test can assert that a strict page had none.
 */
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Reports every violation of every page and frame of `context` into `into`, as
 * `<url>: <directive> blocked <what> at <where>`.
 */
export async function watchCsp(context: BrowserContext, into: string[]): Promise<void> {
  await context.exposeBinding('__cspViolation', ({ page }, text: string) => {
    into.push(`${page.url()}: ${text}`);
  });
  await context.addInitScript(() => {
    const report = (window as unknown as { __cspViolation(text: string): Promise<void> })
      .__cspViolation;
    const pending: Promise<void>[] = [];
    (window as unknown as { __cspPending: Promise<void>[] }).__cspPending = pending;
    window.addEventListener(
      'securitypolicyviolation',
      (e) => {
        pending.push(
          report(
            `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`,
          ),
        );
      },
      true,
    );
  });
}

/** Resolves once every violation `page`'s own document saw has been reported. */
export async function cspReported(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all((window as unknown as { __cspPending?: Promise<void>[] }).__cspPending ?? []),
  );
}
