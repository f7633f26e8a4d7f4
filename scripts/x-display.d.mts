import type { ChildProcess } from 'node:child_process';

export interface Desktop {
  dark: boolean;
  animations: boolean;
}
export interface Display {
  display: string;
  env: NodeJS.ProcessEnv;
  readonly desktop: Readonly<Desktop>;
  setDesktop(settings: Partial<Desktop>): void;
  close(): Promise<void>;
}
export declare const XVFB_PATH: string;
export declare const XSETTINGSD_PATH: string;
export declare const DEFAULT_DESKTOP: Readonly<Desktop>;
export declare function endProcess(child: ChildProcess): Promise<void>;
export declare function startDisplay(options?: {
  width?: number;
  height?: number;
}): Promise<Display>;
