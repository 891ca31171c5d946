// Loads the built WebAssembly module in Node from files on disk: the wasm
// bytes are passed as wasmBinary, because Emscripten 3.1.6's own loader uses
// fetch(), which Node 20 has but which cannot read file paths.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const moduleDir = process.env.NFVI_WASM_DIR ?? path.join(root, 'build-wasm', 'wasm');

export async function loadNfvi() {
  const { default: createNfviModule } = await import(path.join(moduleDir, 'nfvi.mjs'));
  const wasmBinary = await readFile(path.join(moduleDir, 'nfvi.wasm'));
  return createNfviModule({ wasmBinary });
}
