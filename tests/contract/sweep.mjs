// Every route of docs/openapi.yaml, with good requests and bad ones, sent to a real
// mock-server through Prism's validating proxy (@stoplight/prism-cli): Prism checks each
// response against the document and reports what does not match in an `sl-violations`
// header. Any violation located in a response fails the sweep; violations of the requests
// are expected exactly for the requests sent bad on purpose.
//
//   node tests/contract/sweep.mjs        (LIVEDATA_MOCK_SERVER names the server binary)
//
// Prism decodes gzip, so the requests ask for identity: content coding and caching are
// checked by the integration tests instead.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ROOT, startServer } from '../support/mock_server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PRISM = join(HERE, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const DOCUMENT = join(ROOT, 'docs', 'openapi.yaml');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function startPrism(upstream) {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'proxy', DOCUMENT, upstream, '--port', String(port), '--errors=false',
    '-v', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Prism logs every request violation, the intended ones too: shown only when the sweep fails.
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(`${url}/livez`, { headers: { 'accept-encoding': 'identity' } });
      return { url, log: () => log, stop: () => child.kill('SIGTERM') };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGTERM');
  throw new Error(`Prism did not start:\n${log}`);
}

// One request of the sweep: `bad` when the request breaks the document on purpose (a wrong
// value, no token: Prism then reports request violations, which are expected; a good request
// must have none).
function request(method, path, { token = false, body, headers = {}, bad = false, expect } = {}) {
  return { method, path, token, body, headers, bad, expect };
}

function sweep(etagOf) {
  const auth = { token: true };
  const lists = ['campaigns', 'flows', 'forms', 'segments'];
  const statuses = { campaigns: 'sent', flows: 'live', forms: 'draft', segments: 'archived' };
  return [
    request('GET', '/api/overview', { expect: 200 }),
    request('GET', '/api/overview?from=2026-10-01&to=2026-10-31', { expect: 200 }),
    request('GET', '/api/overview?_t=123', { expect: 200 }),
    request('GET', '/api/overview', { headers: { 'if-none-match': etagOf('/api/overview') }, expect: 304 }),
    request('GET', '/api/overview?from=31-10-2026', { bad: true, expect: 400 }),
    request('GET', '/api/overview?bogus=1', { expect: 400 }),
    ...lists.flatMap((name) => [
      request('GET', `/api/${name}`, { expect: 200 }),
      request('GET', `/api/${name}?status=${statuses[name]}&sort=name&limit=5&offset=5`, { expect: 200 }),
      request('GET', `/api/${name}?sort=-updatedAt&limit=500`, { expect: 200 }),
      request('GET', `/api/${name}`, { headers: { 'if-none-match': etagOf(`/api/${name}`) }, expect: 304 }),
      request('GET', `/api/${name}?limit=0`, { bad: true, expect: 400 }),
      request('GET', `/api/${name}?limit=abc`, { bad: true, expect: 400 }),
      request('GET', `/api/${name}?status=nonsense`, { bad: true, expect: 400 }),
      request('GET', `/api/${name}?sort=nosuchfield`, { expect: 400 }),
      request('GET', `/api/${name}?page=2`, { expect: 400 }),
    ]),
    request('GET', '/api/changes', { expect: 200 }),
    request('GET', '/api/changes?since=0', { expect: 200 }),
    request('GET', '/api/changes?since=x', { bad: true, expect: 400 }),
    request('GET', '/api/changes?wait=99&since=1', { bad: true, expect: 400 }),
    request('POST', '/api/sync', { bad: true, expect: 401 }),
    request('POST', '/api/sync', { ...auth, body: {}, expect: 202 }),
    request('POST', '/api/sync', { ...auth, body: { force: false, entities: ['flows'] }, expect: 202 }),
    request('POST', '/api/sync', { ...auth, body: { entities: ['nothing'] }, bad: true, expect: 400 }),
    request('GET', '/api/sync/status', { bad: true, expect: 401 }),
    request('GET', '/api/sync/status', { ...auth, expect: 200 }),
    request('POST', '/api/cache/invalidate', { ...auth, body: { pattern: 'campaigns*' }, expect: 200 }),
    request('POST', '/api/cache/invalidate', { ...auth, body: { endpoints: ['flows'] }, expect: 200 }),
    request('POST', '/api/cache/invalidate', { ...auth, body: {}, expect: 400 }),
    request('POST', '/api/cache/invalidate', { body: { pattern: '*' }, bad: true, expect: 401 }),
    request('GET', '/api/cache/stats', { ...auth, expect: 200 }),
    request('GET', '/api/cache/stats', { bad: true, expect: 401 }),
    request('POST', '/admin/faults', { ...auth, body: { rules: [{ path: '/api/nothing', status: 503, times: 1 }] }, expect: 200 }),
    request('POST', '/admin/faults', { ...auth, body: { rules: 'no' }, bad: true, expect: 400 }),
    request('DELETE', '/admin/faults', { ...auth, expect: 200 }),
    request('GET', '/admin/requests', { ...auth, expect: 200 }),
    request('GET', '/admin/requests', { bad: true, expect: 401 }),
    request('POST', '/admin/reset', { ...auth, expect: 200 }),
    request('POST', '/admin/touch', { ...auth, body: { endpoint: 'campaigns' }, expect: 200 }),
    request('POST', '/admin/touch', { ...auth, body: { endpoint: 'nothing' }, bad: true, expect: 400 }),
    request('GET', '/admin/upstream/faults', { ...auth, expect: 200 }),
    request('PUT', '/admin/upstream/faults', { ...auth, body: {}, expect: 200 }),
    request('DELETE', '/admin/upstream/faults', { ...auth, expect: 200 }),
    request('POST', '/admin/upstream/changes', { ...auth, body: { count: 3 }, expect: 200 }),
    request('POST', '/admin/upstream/changes', { ...auth, body: { count: 0 }, bad: true, expect: 400 }),
    request('GET', '/livez', { expect: 200 }),
    request('GET', '/readyz', { expect: 200 }),
    request('GET', '/monitoring/health', { ...auth }),
    request('GET', '/monitoring/health', { bad: true, expect: 401 }),
    request('GET', '/monitoring/metrics', { ...auth, expect: 200 }),
    request('GET', '/monitoring/api-metrics', { ...auth, expect: 200 }),
    request('GET', '/monitoring/errors', { ...auth, expect: 200 }),
    request('GET', '/monitoring/status', { ...auth, expect: 200 }),
    request('GET', '/metrics', { ...auth, expect: 200 }),
    request('GET', '/metrics', { bad: true, expect: 401 }),
  ];
}

function violationsOf(response) {
  const header = response.headers.get('sl-violations');
  if (!header) return [];
  try {
    return JSON.parse(header);
  } catch {
    return [{ location: ['response'], message: `unreadable sl-violations header: ${header}` }];
  }
}

async function main() {
  const server = await startServer();
  const prism = await startPrism(server.url);
  const problems = [];
  let sent = 0;
  try {
    // ETags straight from the server, for the conditional requests.
    const etags = new Map();
    for (const path of ['/api/overview', '/api/campaigns', '/api/flows', '/api/forms', '/api/segments']) {
      const response = await fetch(server.url + path, { headers: { 'accept-encoding': 'identity' } });
      etags.set(path, response.headers.get('etag'));
      await response.arrayBuffer();
    }
    for (const step of sweep((path) => etags.get(path))) {
      const headers = { 'accept-encoding': 'identity', accept: 'application/json', ...step.headers };
      if (step.token) headers.authorization = `Bearer ${server.token}`;
      if (step.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(prism.url + step.path, {
        method: step.method,
        headers,
        body: step.body !== undefined ? JSON.stringify(step.body) : step.method === 'POST' ? '' : undefined,
      });
      await response.arrayBuffer();
      sent++;
      const name = `${step.method} ${step.path}`;
      const violations = violationsOf(response);
      const inResponse = violations.filter((v) => v.location?.[0] !== 'request');
      const inRequest = violations.filter((v) => v.location?.[0] === 'request');
      for (const v of inResponse) problems.push(`${name} -> ${response.status}: response ${v.location?.join('.')}: ${v.message}`);
      if (!step.bad && inRequest.length) {
        problems.push(`${name}: a good request broke the document: ${inRequest.map((v) => v.message).join('; ')}`);
      }
      if (step.expect !== undefined && response.status !== step.expect) {
        problems.push(`${name}: answered ${response.status}, expected ${step.expect}`);
      }
    }
  } finally {
    prism.stop();
    await server.stop();
  }
  console.log(`contract sweep: ${sent} requests through Prism, ${problems.length} problems`);
  if (problems.length) {
    console.error(`Prism's log:\n${prism.log()}`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
}

await main();
