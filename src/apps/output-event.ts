/**
 * The RPC event carrying git and npm output of an app operation to the caller that asked for
 * it (and nobody else; it is not a bus event): args `[subject, chunk]`, subject being the
 * app's name, or the repository URL while `installApp` has not learnt the name yet.
 */
export const APP_OUTPUT_EVENT = 'app:output';
