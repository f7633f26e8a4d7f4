/**
 * The page side of the browser benchmark, bundled by esbuild: the element, an empty Lit
 * element (the baseline), and the timing hooks the benchmark reads back.
 */
import { LitElement, html } from 'lit';
import '../../src/index.js';

class BenchEmpty extends LitElement {
  override render(): unknown {
    return html`<div></div>`;
  }
}
customElements.define('bench-empty', BenchEmpty);

interface Updatable extends HTMLElement {
  updateComplete: Promise<unknown>;
}

/** Time from creating and attaching `tag` to its first render done (ms). */
async function firstRender(tag: string): Promise<number> {
  const start = performance.now();
  const element = document.createElement(tag) as Updatable;
  document.body.append(element);
  await element.updateComplete;
  const took = performance.now() - start;
  element.remove();
  return took;
}

const frame = (): Promise<number> =>
  new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));

/**
 * Starts a checkout with `payload` against `endpoint`, and resolves with the time from the
 * `awaiting-customer` status event reaching the page (an EventSource listener registered
 * before the element's) to the first animation frame after the element rendered the QR code:
 * that frame paints it.
 */
function qrPaint(payload: string, endpoint: string): Promise<{ ms: number; frameMs: number }> {
  return new Promise((resolve, reject) => {
    let eventAt = 0;
    const Native = window.EventSource;
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('status', (event) => {
          const status = (JSON.parse((event as MessageEvent<string>).data) as { status: string })
            .status;
          if (status === 'awaiting-customer' && eventAt === 0) eventAt = performance.now();
        });
      }
    };
    const element = document.createElement('cup-qr-checkout') as Updatable;
    element.setAttribute('endpoint', endpoint);
    element.setAttribute('payload', payload);
    element.addEventListener('cup-qr-status', async (event) => {
      if (event.detail.status !== 'awaiting-customer') return;
      await element.updateComplete;
      const painted = await frame();
      if (!element.shadowRoot?.querySelector('[part="qr"] svg')) {
        reject(new Error('no QR code rendered'));
        return;
      }
      // The length of a frame here, for "within one frame".
      const frameMs = (await frame()) - painted;
      window.EventSource = Native;
      element.remove();
      resolve({ ms: painted - eventAt, frameMs });
    });
    document.body.append(element);
  });
}

Object.assign(window, { bench: { firstRender, qrPaint } });
