// Ids name processes, they guard nothing: the non-secure generator spares the daemon node:crypto
// (~2 MiB resident).
import { customAlphabet } from 'nanoid/non-secure';

/**
 * A new process id: 10 characters of nanoid's alphabet less '-', because ids are typed on command
 * lines, where a leading dash reads as an option.
 */
export const processId: () => string = customAlphabet(
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_',
  10,
);
