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
