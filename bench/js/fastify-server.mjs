// The Node.js peer for the http section of bench/run.sh (wrk against our C++ server): Fastify serving one
// body from memory, with the caching headers our server sends, on 127.0.0.1 and a free port.
// Prints `listening on http://127.0.0.1:PORT` on stdout once ready; SIGTERM or SIGINT closes
// it and prints the request counts on stderr.
//   node fastify-server.mjs --body FILE --path /api/campaigns [--etag E] [--cache-control C]
//                           [--content-type T]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';

const log = (line) => process.stderr.write(`fastify-server: ${line}\n`);

function fail(message) {
  log(message);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      body: { type: 'string' },
      path: { type: 'string' },
      etag: { type: 'string' },
      'cache-control': { type: 'string' },
      'content-type': { type: 'string', default: 'application/json; charset=utf-8' },
    },
    strict: true,
  }));
} catch (error) {
  fail(error.message);
}
if (!args.body || !args.path) fail('--body FILE and --path /route are required');
if (!args.path.startsWith('/')) fail(`--path must start with "/": ${args.path}`);

let body;
try {
  body = readFileSync(args.body);
} catch (error) {
  fail(`--body ${args.body}: ${error.message}`);
}

// Headers shared by the 200 and the 304 (RFC 9110 section 15.4.5: a 304 repeats ETag and
// Cache-Control); Content-Length and Date are added by Fastify and node.
const validators = {};
if (args.etag !== undefined) validators.etag = args.etag;
if (args['cache-control'] !== undefined) validators['cache-control'] = args['cache-control'];

const opaqueTag = (tag) => tag.trim().replace(/^W\//, '');
// If-None-Match with weak comparison (RFC 9110 section 13.1.2): `*`, or a listed tag equal to
// ours once any W/ is dropped. Without --etag nothing matches.
function matchesEtag(ifNoneMatch) {
  if (args.etag === undefined || ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const ours = opaqueTag(args.etag);
  return ifNoneMatch.split(',').some((tag) => opaqueTag(tag) === ours);
}

const counts = { ok: 0, notModified: 0 };
// forceCloseConnections: a wrk run's keep-alive connections must not hold up the close.
const app = Fastify({ logger: false, forceCloseConnections: true });
app.get(args.path, (request, reply) => {
  reply.headers(validators);
  if (matchesEtag(request.headers['if-none-match'])) {
    counts.notModified++;
    return reply.code(304).send();
  }
  counts.ok++;
  return reply.type(args['content-type']).send(body);
});

try {
  await app.listen({ host: '127.0.0.1', port: 0 });
} catch (error) {
  fail(`cannot listen: ${error.message}`);
}
const { port } = app.server.address();
process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
log(`serving ${body.length} bytes at ${args.path}`);

let closing = false;
async function close(signal) {
  if (closing) return;
  closing = true;
  await app.close();
  log(`${signal}: stopped after ${counts.ok} 200 and ${counts.notModified} 304 responses`);
  process.exit(0);
}
process.on('SIGTERM', () => close('SIGTERM'));
process.on('SIGINT', () => close('SIGINT'));
