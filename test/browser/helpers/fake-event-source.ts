/** An `EventSource` that tests drive by hand (the stream controller takes it as an option). */
import type { PaymentState } from '../../../src/wire/payment-state.js';

export class FakeSource extends EventTarget {
  static instances: FakeSource[] = [];
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeSource.instances.push(this);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  /** A `status` event carrying `state`. */
  push(state: Partial<PaymentState>): void {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent('status', { data: JSON.stringify(state) }));
  }
  /** A `status` event whose `data:` is `data` as it is (JSON or not). */
  pushRaw(data: string): void {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent('status', { data }));
  }
  /** An `error`: the browser retries itself, or (`gaveUp`) it closed the stream. */
  fail(gaveUp = true): void {
    this.readyState = gaveUp ? 2 : 0;
    this.dispatchEvent(new Event('error'));
  }
}
