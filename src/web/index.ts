export { createWebServer, type WebServer, type WebServerOptions } from './server.js';
export { createSessions, type Sessions } from './sessions.js';
export { createToken } from './token.js';
