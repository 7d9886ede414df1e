export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** A CLI command: parses its own arguments, does its job, resolves to the exit status. */
export type CliCommand = (args: string[], io: CliIO) => Promise<number>;
