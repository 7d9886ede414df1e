// The CLI's cold path with the daemon up: connect, one request, close.
import { openConnection } from './src/client/connection.js';
import { resolveHome } from './src/protocol/home.js';

const connection = await openConnection(resolveHome().socket);
await connection.request('list');
connection.close();
