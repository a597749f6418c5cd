// Prints what the benchmarks ran on, as JSON: CPU, memory, OS, the versions of everything
// measured, and the commit. Figures from another machine are not comparable; ratios are.
//   node bench/report/machine.mjs [--build DIR]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const run = (command, args) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const firstLine = (text) => (text ? text.split('\n')[0] : null);
const debianVersion = (name) => run('dpkg-query', ['-W', '-f=${Version}', name]);
const osRelease = (() => {
  try {
    return /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
})();
const buildArgument = process.argv.indexOf('--build');
const build = buildArgument > 0 ? process.argv[buildArgument + 1] : null;
const cmakeCache = (() => {
  try {
    return build ? readFileSync(`${build}/CMakeCache.txt`, 'utf8') : '';
  } catch {
    return '';
  }
})();

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  kernel: `${os.type()} ${os.release()}`,
  os: osRelease,
  compiler: firstLine(run('c++', ['--version'])),
  buildType: /CMAKE_BUILD_TYPE:STRING=(.*)/.exec(cmakeCache)?.[1] ?? null,
  node: process.version,
  redis: firstLine(run('redis-server', ['--version'])),
  packages: Object.fromEntries(
    ['wrk', 'libcpp-httplib-dev', 'libsqlite3-dev', 'libhiredis-dev', 'libbenchmark-dev', 'emscripten'].map((name) => [
      name,
      debianVersion(name),
    ]),
  ),
  commit: run('git', ['rev-parse', '--short', 'HEAD']),
  // The run's own outputs (rewritten as it goes) are not changes to what was measured.
  uncommittedChanges: (run('git', ['status', '--porcelain', '--', '.', ':!bench/results', ':!BENCHMARKS.md']) ?? '') !== '',
};
console.log(JSON.stringify(machine, null, 2));
