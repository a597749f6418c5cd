// The data-layer section of bench/run.sh, its size half: what a page downloads for the data layer, gzipped
// (zlib level 9). Ours is the WASM module plus its JavaScript (wasm/dist); the peers are
// @tanstack/query-core and swr, each bundled and minified by esbuild as an ESM module for the
// browser from `export * from '<pkg>'`. Ours is counted two ways: esbuild-bundled and minified
// from wasm/dist/livedata.js like the peers (the headline figures, so every JS file is counted
// once), and as the raw files the module loads (what wasm/build.sh reports in size.json).
// Prints one JSON object on stdout (ratio = ours / theirs, lower is better), a summary on stderr.
//   node bundle-size.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
// The same folder wasm/test/module.js loads the module from.
const DIST = process.env.LIVEDATA_WASM_DIST ?? join(HERE, '..', '..', 'wasm', 'dist');
const RAW_JS_FILES = ['livedata.js', 'host.js', 'livedata-core.js'];

const gzipBytes = (bytes) => gzipSync(bytes, { level: 9 }).length;
const roundTo = (value, digits) => Number(value.toFixed(digits));
const log = (line) => process.stderr.write(`bundle-size: ${line}\n`);

async function minifiedBundle(entry) {
  const result = await esbuild.build({
    ...entry,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { minBytes: bytes.length, gzip: gzipBytes(bytes) };
}

// `export *` leaves out a default export, and swr's main hook (useSWR) is its default.
function peerEntry(pkg, { hasDefault = false, external = [] } = {}) {
  const contents = `export * from '${pkg}';` + (hasDefault ? `\nexport { default } from '${pkg}';` : '');
  return { stdin: { contents, resolveDir: HERE, loader: 'js' }, external };
}

function versionOf(pkg) {
  return JSON.parse(readFileSync(createRequire(import.meta.url).resolve(`${pkg}/package.json`), 'utf8')).version;
}

async function ours() {
  let wasm;
  try {
    wasm = readFileSync(join(DIST, 'livedata-core.wasm'));
  } catch (error) {
    log(`cannot read the WASM module (run wasm/build.sh first): ${error.message}`);
    process.exit(1);
  }
  const wasmGzip = gzipBytes(wasm);
  const bundled = await minifiedBundle({ entryPoints: [join(DIST, 'livedata.js')] });
  // As wasm/build.sh measures them: the files as built, concatenated, gzipped once.
  const rawJs = Buffer.concat(RAW_JS_FILES.map((name) => readFileSync(join(DIST, name))));
  const rawJsGzip = gzipBytes(rawJs);
  return {
    wasmBytes: wasm.length,
    wasmGzip,
    jsMinBytes: bundled.minBytes,
    jsGzip: bundled.gzip,
    totalGzip: wasmGzip + bundled.gzip,
    rawFiles: { jsBytes: rawJs.length, jsGzip: rawJsGzip, totalGzip: wasmGzip + rawJsGzip },
  };
}

const mine = await ours();
const tanstackQueryCore = await minifiedBundle(peerEntry('@tanstack/query-core'));
const swr = await minifiedBundle(peerEntry('swr', { hasDefault: true, external: ['react', 'react-dom'] }));

const ratio = (a, b) => roundTo(a / b, 3);
log(
  `ours ${mine.totalGzip} B gzipped (wasm ${mine.wasmGzip} + js ${mine.jsGzip}); ` +
    `@tanstack/query-core ${tanstackQueryCore.gzip} B; swr ${swr.gzip} B`,
);
process.stdout.write(
  `${JSON.stringify({
    ours: mine,
    tanstackQueryCore,
    swr,
    ratios: {
      oursVsTanstackQueryCore: ratio(mine.totalGzip, tanstackQueryCore.gzip),
      oursVsSwr: ratio(mine.totalGzip, swr.gzip),
      oursJsOnlyVsTanstackQueryCore: ratio(mine.jsGzip, tanstackQueryCore.gzip),
      oursJsOnlyVsSwr: ratio(mine.jsGzip, swr.gzip),
    },
    versions: {
      '@tanstack/query-core': versionOf('@tanstack/query-core'),
      swr: versionOf('swr'),
      esbuild: esbuild.version,
    },
    method: 'esbuild --bundle --minify --format=esm --platform=browser, gzip level 9; swr with react and react-dom external',
  })}\n`,
);
