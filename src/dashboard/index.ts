export {
  type DashboardConfig,
  type HostEntry,
  loadDashboardConfig,
  parseDashboardConfig,
} from './config.js';
export { connectHost, type HostFactory } from './hosts.js';
export {
  createDashboardServer,
  type DashboardServer,
  type DashboardServerOptions,
} from './server.js';
