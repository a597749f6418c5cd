// Starts a real mock-server on a free loopback port for the WASM module's tests: the same
// server binary and flags the native integration tests use (tests/integration/server_process.cpp).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MOCK_SERVER = process.env.LIVEDATA_MOCK_SERVER ?? join(root, 'build', 'mock-server', 'mock-server');
const DIST = process.env.LIVEDATA_WASM_DIST ?? join(root, 'wasm', 'dist');

/** The module's options for node: the wasm bytes from dist/, since there is no page to fetch them from. */
export function moduleOptions() {
  return { wasmBinary: readFileSync(join(DIST, 'livedata-core.wasm')) };
}

export async function importLiveData() {
  return import(join(DIST, 'livedata.js'));
}

export async function startServer(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'livedata-wasm-test-'));
  const token = 'wasm-test-token';
  const child = spawn(
    MOCK_SERVER,
    ['--port', '0', '--admin-token', token, '--db', join(dir, 'livedata.db'), '--changes-per-minute', '0',
     '--sync-interval', '0', '--log-level', 'warn', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('mock-server did not start')), 20000);
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`mock-server exited with ${code}`)));
  });
  const server = {
    url,
    async admin(method, path, body) {
      const response = await fetch(url + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? (method === 'GET' ? undefined : '') : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    /** The server's log of data requests since the last reset. */
    requests: () => server.admin('GET', '/admin/requests'),
    reset: () => server.admin('POST', '/admin/reset'),
    faults: (rules) => server.admin('POST', '/admin/faults', { rules }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // The first sync fills the store; tests expect the upstream's data.
  for (let i = 0; i < 400; i++) {
    const status = await server.admin('GET', '/api/sync/status');
    if (status.state !== 'running' && status.counters.successes + status.counters.failures >= 1) return server;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the first sync did not finish');
}
