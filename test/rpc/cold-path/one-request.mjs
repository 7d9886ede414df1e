// The CLI's cold path with the daemon up: connect, one request, close.
import { openConnection } from './out/src/client/connection.js';
import { resolveHome } from './out/src/daemon/home.js';

const connection = await openConnection(resolveHome().socket);
await connection.request('list');
connection.close();
