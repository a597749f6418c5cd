// Loads the built module (wasm/dist) for tests under node, where there is no page to fetch
// the .wasm from: its bytes are passed in (../shared/notes/emscripten-debian12.md).
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = process.env.LIVEDATA_WASM_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

export function moduleOptions() {
  return { wasmBinary: readFileSync(join(DIST, 'livedata-core.wasm')) };
}

export async function importLiveData() {
  return import(join(DIST, 'livedata.js'));
}
