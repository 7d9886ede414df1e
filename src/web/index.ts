export { createWebServer, type WebServer, type WebServerOptions } from './server.js';
export { createToken, loadOrCreateToken } from './token.js';
