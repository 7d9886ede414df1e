export {
  LOG_FILE_BASE,
  type LogLevel,
  type LogSource,
  describeLogPath,
  logFilePath,
  parseLogLine,
  rotatedPath,
} from './format.js';
export { type FollowOptions, type LogFollower, followLogs } from './follow.js';
export { type ReadLastOptions, readLastRecords } from './reader.js';
export type { LogFileRef, LogFilter, LogLine } from './records.js';
export { type LogWriter, type LogWriterOptions, createLogWriter } from './writer.js';
export {
  type LogAccess,
  PRIVATE_LOGS,
  ensureLogFolder,
  logAccess,
  openLogFile,
} from './log-file.js';
export { type RotatingFile, type RotatingFileOptions, openRotatingFile } from './rotating-file.js';
