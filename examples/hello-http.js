// An example app for guv: a plain node:http server with no shutdown code of its own.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const server = createServer((request, response) => {
  response.setHeader('content-type', 'text/plain');
  response.end(`hello from pid ${process.pid} (worker ${process.env.GUV_WORKER_INDEX ?? '-'})\n`);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});
