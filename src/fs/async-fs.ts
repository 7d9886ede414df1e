/**
 * Promise versions of the node:fs calls guv makes, over node:fs's callback API.
 *
 * Why not node:fs/promises: it loads a dozen more built-in modules (its FileHandle class, the
 * readline it needs for `readLines`…), ~0.4 MiB of resident memory in a daemon meant to stay
 * small. The few readers that want a FileHandle (the log readers, run only on request) reach
 * node:fs/promises through `fs.promises`, which node loads on first use.
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const access = promisify(fs.access);
export const chmod = promisify(fs.chmod);
export const chown = promisify(fs.chown);
export const close = promisify(fs.close);
export const fsync = promisify(fs.fsync);
export const lstat = promisify(fs.lstat);
export const mkdir = promisify(fs.mkdir);
export const mkdtemp = promisify(fs.mkdtemp);
export const open = promisify(fs.open);
export const readdir = promisify(fs.readdir);
export const readFile = promisify(fs.readFile);
export const readlink = promisify(fs.readlink);
export const realpath = promisify(fs.realpath);
export const rename = promisify(fs.rename);
export const rm = promisify(fs.rm);
export const stat = promisify(fs.stat);
export const unlink = promisify(fs.unlink);
export const writeFile = promisify(fs.writeFile);
