/**
 * The RPC event carrying git and npm output of an app operation (installApp, updateRefs,
 * setRef, removeApp) to the caller that asked for it with `output: true`, and nobody else: it
 * is not a bus event. Args `[subject, chunk]`: the app's name, or the repository URL while
 * `installApp` has not learnt the name yet, and the text as git or npm wrote it.
 */
export const APP_OUTPUT_EVENT = 'app:output';
