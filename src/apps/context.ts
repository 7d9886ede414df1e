import type { RunAs } from '../actors/git/run-as.js';
import type { AppInfo } from '../types/info.js';

/** What every app operation needs besides the app: where apps live and who runs git and npm. */
export interface AppOperationContext {
  /** The folder holding one folder per app; every path touched is checked to stay inside. */
  appsRoot: string;
  /** Run git and npm as this user; null or absent: as the daemon's own user. */
  runAs?: RunAs | null;
  /** Progress and output of git and npm, chunk by chunk. */
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface AppInput extends AppOperationContext {
  app: AppInfo;
}

/** A checked-out position: the branch or tag (null when HEAD matches neither) and its commit. */
export interface CheckedOutRef {
  ref: string | null;
  commit: string;
}

/** What cloneRepo and switchRef leave checked out (the app chart's `AppCheckout`). */
export interface AppCheckout {
  /** The branch or tag; a full commit id when the clone's HEAD was neither. */
  ref: string;
  commit: string;
}
