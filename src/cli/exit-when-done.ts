// An apps file's code (ecosystem.config.js) may leave a timer or a socket open that would keep
// the CLI alive after its command is done: once such code ran, the CLI exits on its own.
let codeRan = false;

/** Called before an apps file's code is imported. */
export function markForeignCode(): void {
  codeRan = true;
}

/** Whether the CLI must exit by itself once its command is done. */
export function mustExitWhenDone(): boolean {
  return codeRan;
}
