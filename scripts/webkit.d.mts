import type { Desktop } from './x-display.mjs';

export declare const WEBKIT_DRIVER_PATH: string;
export declare const MINIBROWSER_PATH: string;
export declare const WEBKIT_CAPABILITIES: Readonly<WebdriverIO.Capabilities>;
export interface WebKit {
  hostname: string;
  port: number;
  capabilities: WebdriverIO.Capabilities;
  readonly desktop: Readonly<Desktop>;
  setDesktop(settings: Partial<Desktop>): void;
  close(): Promise<void>;
}
export declare function startWebKit(): Promise<WebKit>;
