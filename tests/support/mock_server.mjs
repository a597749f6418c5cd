// Starts a real mock-server on a free loopback port for the JavaScript tests (the WASM
// module's under node, the dashboard's in Chromium): the same binary and flags the native
// integration tests use (tests/integration/server_process.cpp), with admin helpers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MOCK_SERVER = process.env.LIVEDATA_MOCK_SERVER ?? join(ROOT, 'build', 'mock-server', 'mock-server');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns the mock-server binary with `args` (which should hold `--port 0`) and resolves with
 * the child and the URL it logs once listening; `what` names it in errors.
 */
export async function spawnListening(args, what = 'mock-server') {
  const child = spawn(MOCK_SERVER, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start`));
    }, 20000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
  return {
    child,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;  // already gone
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Starts `mock-server --port 0` on its own database, frozen upstream and no scheduled sync,
 * and resolves once its first sync has finished.
 */
export async function startServer(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'livedata-js-test-'));
  const token = 'js-test-admin-token';
  const { url, stop } = await spawnListening(
    ['--port', '0', '--admin-token', token, '--db', join(dir, 'livedata.db'), '--changes-per-minute', '0',
     '--sync-interval', '0', '--log-level', 'warn', ...extraArgs]);
  const server = {
    url,
    token,
    async admin(method, path, body) {
      const response = await fetch(url + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        // A POST without a body still says Content-Length: 0; other methods send none, since
        // Node 18's fetch refuses an empty body on DELETE.
        body: body !== undefined ? JSON.stringify(body) : method === 'POST' ? '' : undefined,
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    /** The server's log of data requests since the last reset. */
    requests: () => server.admin('GET', '/admin/requests'),
    reset: () => server.admin('POST', '/admin/reset'),
    faults: (rules) => server.admin('POST', '/admin/faults', { rules }),
    clearFaults: () => server.admin('DELETE', '/admin/faults'),
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 400; i++) {
    const status = await server.admin('GET', '/api/sync/status');
    if (status.state !== 'running' && status.counters.successes + status.counters.failures >= 1) return server;
    await sleep(25);
  }
  throw new Error('the first sync did not finish');
}
