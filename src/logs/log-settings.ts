/** How a process's output is written: guv's time prefix or raw lines, and extra files. */
export interface LogSettings {
  /** false: lines are written as they come, without guv's `<ISO time> ` prefix. */
  time: boolean;
  /** Absolute path of a file that also receives standard output (pm2's out_file). */
  outFile: string | null;
  /** Absolute path of a file that also receives standard error (pm2's error_file). */
  errorFile: string | null;
}

export const DEFAULT_LOG_SETTINGS: Readonly<LogSettings> = Object.freeze({
  time: true,
  outFile: null,
  errorFile: null,
});
