/**
 * guv/testing: drive guv's charts in your own tests with a simulated clock, a scripted child
 * and a recorder of bus events. No real processes, no sleeps.
 */
export { createEventRecorder, type EventRecorder } from './event-recorder.js';
export { createFakeChild, type ErrorLike, type FakeChild } from './fake-child.js';
export { createTestProcess, createTestWorker, type TestHarness, testSpec } from './test-process.js';
export {
  type ChartRecording,
  type RecordOptions,
  recordChart,
  type WriteHtmlOptions,
} from './record-html.js';
