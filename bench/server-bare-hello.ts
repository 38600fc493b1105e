/**
 * The reference for bench/server-overhead.ts: the smallest correct node:http
 * server answering GET /hello with `hello` — no routing table, no limits, no
 * verification. Prints "listening http://127.0.0.1:PORT pid=N" like conlab serve.
 */
import http from 'node:http';
import { listenAndAnnounce } from './fixtures/announce.ts';

const server = http.createServer((req, res) => {
  if (req.url === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
    res.end('hello');
  } else {
    res.writeHead(404);
    res.end();
  }
});
listenAndAnnounce(server);
