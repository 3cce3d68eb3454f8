// scripts/sync-wasm-compile.mjs, the build's esbuild plugin that has hash-wasm's hashers decode and
// compile their WebAssembly synchronously: a bundle made with it compiles no WebAssembly
// asynchronously and hashes as @noble does; a hash-wasm file without the code it rewrites fails the build.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '../../src/common/hex.js';
import { bundleWithPlugin } from '../helpers/bundle.js';
import { REPO_ROOT } from '../helpers/solc.js';

const plugin = await import(pathToFileURL(join(REPO_ROOT, 'scripts/sync-wasm-compile.mjs')).href);

/** Prints each hasher's hex digest of every input given as hex on the command line. */
const ENTRY = `
import blake2bWasm from 'hash-wasm/dist/blake2b.umd.min.js';
import keccakWasm from 'hash-wasm/dist/keccak.umd.min.js';
const hashers = { keccak256: await keccakWasm.createKeccak(256), blake2b256: await blake2bWasm.createBLAKE2b(256),
  blake2b160: await blake2bWasm.createBLAKE2b(160), blake2b32: await blake2bWasm.createBLAKE2b(32) };
const out = {};
for (const [name, hasher] of Object.entries(hashers)) out[name] = process.argv.slice(2).map((hex) => hasher.init().update(Buffer.from(hex, 'hex')).digest('hex'));
console.log(JSON.stringify(out));
`;

describe('the sync-wasm-compile build plugin', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fvm-devnet-sync-wasm-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('a bundle compiles the WebAssembly on the spot and hashes as @noble does', async () => {
    const outfile = await bundleWithPlugin(scratch, ENTRY, plugin.syncWasmCompile);
    const bundle = readFileSync(outfile, 'utf8');
    assert.equal(bundle.split('new WebAssembly.Module(').length, 3, 'both hashers compile synchronously');
    assert.ok(!bundle.includes('WebAssembly.compile('), 'no asynchronous compile is left');

    // Empty, one byte, and either side of both block sizes (Keccak-256's 136, BLAKE2b's 128).
    const inputs = [0, 1, 127, 128, 129, 135, 136, 137, 300].map((length) => new Uint8Array(length).map((_, i) => (i * 89 + 5) & 0xff));
    const run = execFileSync(process.execPath, [outfile, ...inputs.map((data) => bytesToHex(data).slice(2))], { encoding: 'utf8' });
    const hex = (data: Uint8Array) => bytesToHex(data).slice(2);
    assert.deepEqual(JSON.parse(run), {
      keccak256: inputs.map((data) => hex(keccak_256(data))),
      blake2b256: inputs.map((data) => hex(blake2b(data, { dkLen: 32 }))),
      blake2b160: inputs.map((data) => hex(blake2b(data, { dkLen: 20 }))),
      blake2b32: inputs.map((data) => hex(blake2b(data, { dkLen: 4 }))),
    });
  });

  test('a hash-wasm file without the expected loading code fails the build, naming the plugin', () => {
    const changed = 'const A=decode(I.bytes),i=WebAssembly.compileStreaming(A)';
    assert.throws(() => plugin.syncCompiled(changed, 'blake2b.umd.min.js'), /blake2b\.umd\.min\.js: not the WebAssembly loading scripts\/sync-wasm-compile\.mjs expects/);
    const twice = 'const A=r(I.data),i=WebAssembly.compile(A.buffer);WebAssembly.compile(x)';
    assert.throws(() => plugin.syncCompiled(twice, 'keccak.umd.min.js'), /update the plugin/);
  });
});
