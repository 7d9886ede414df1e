// The first CLI command: start the daemon (none runs), one request, close.
import { join } from 'node:path';
import { connectOrStartDaemon } from './src/client/autostart.js';
import { resolveHome } from './src/protocol/home.js';

const daemonEntry = join(import.meta.dirname, 'test/rpc/fixtures/test-daemon.js');
const connection = await connectOrStartDaemon({ home: resolveHome(), daemonEntry });
await connection.request('list');
connection.close();
