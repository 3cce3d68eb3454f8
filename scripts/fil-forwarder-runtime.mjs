// Recompiles FilForwarder's runtime and compares it with the bytes the devnet places at genesis
// (src/devnet/fil-forwarder.ts): contracts/FilForwarder.sol of FILCAT/FilForwarder (23abe25), solc
// 0.8.17 with its hardhat.config.js's optimizer (1 000 000 runs), @zondax/filecoin-solidity
// 3.0.0-beta.1 with @ensdomains/buffer 0.1.0 and solidity-cborutils 2.0.0 (its yarn.lock), under the
// source names hardhat gives them. Neither compiler nor library is a dependency of this project:
// install them in a scratch directory (npm install solc@0.8.17 @zondax/filecoin-solidity@3.0.0-beta.1)
// and name its node_modules.
//   node scripts/fil-forwarder-runtime.mjs <FilForwarder.sol> <node_modules with solc 0.8.17 and the library>
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [source, modules] = process.argv.slice(2);
if (!source || !modules) {
  console.error('usage: node scripts/fil-forwarder-runtime.mjs <FilForwarder.sol> <node_modules with solc 0.8.17 and @zondax/filecoin-solidity 3.0.0-beta.1>');
  process.exit(2);
}
const solc = createRequire(import.meta.url)(join(modules, 'solc'));
if (solc.version().split('+')[0] !== '0.8.17') throw new Error(`solc ${solc.version()}, not 0.8.17`);
const input = {
  language: 'Solidity',
  sources: { 'contracts/FilForwarder.sol': { content: readFileSync(source, 'utf8') } },
  settings: { optimizer: { enabled: true, runs: 1_000_000 }, outputSelection: { '*': { '*': ['evm.deployedBytecode.object'] } } },
};
// An import names a package's file, as hardhat resolves it in node_modules.
const findImports = (path) => {
  const file = join(modules, path);
  return existsSync(file) ? { contents: readFileSync(file, 'utf8') } : { error: `not found: ${path}` };
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
const compiled = output.contracts['contracts/FilForwarder.sol'].FilForwarder.evm.deployedBytecode.object;
const placed = [...readFileSync(new URL('../src/devnet/fil-forwarder.ts', import.meta.url), 'utf8').matchAll(/^ {4}'(?:0x)?([0-9a-f]+)',$/gm)].map((m) => m[1]).join('');
if (compiled !== placed) {
  console.error(`FilForwarder: the recompiled runtime (${compiled.length / 2} bytes) differs from src/devnet/fil-forwarder.ts's (${placed.length / 2} bytes)`);
  process.exit(1);
}
console.log(`FilForwarder: the recompiled runtime (${compiled.length / 2} bytes) is src/devnet/fil-forwarder.ts's`);
