// Loads the built module (wasm/dist, or LIVEDATA_WASM_DIST) for tests and benchmarks under
// node. Nothing else is needed: the module reads its .wasm from the file beside its entry.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = process.env.LIVEDATA_WASM_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

// The folder the module is loaded from.
export const wasmDist = () => DIST;

export async function importLiveData() {
  return import(join(DIST, 'livedata.js'));
}
