import type { CliCommand } from '../command.js';
import { upgradeDaemon } from '../../keeper/upgrade.js';

/** `guv upgrade`: a new daemon takes over the keeper's processes without stopping them. */
const upgrade: CliCommand = (_parsed, io) => upgradeDaemon(io);

export default upgrade;
