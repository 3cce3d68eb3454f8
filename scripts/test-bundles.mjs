// How scripts/build-tests.mjs bundles each test file (test/unit, test/e2e): with what it imports
// from src/, test/helpers and most packages, because Node 20 loads ES modules one at a time, and the
// dispatcher's unit file (eth-rpc-dispatch) loaded 664 of them before its first test (~190 of src/,
// ethers' 126, @ethereumjs' ~150). What the files share goes to chunks in
// test/chunks, two folders deep as src/<dir> and test/helpers are, so the import.meta.url readers among
// them find what they find from their own folders: src/eth-rpc/explorer-routes.ts ../../dist/explorer,
// test/helpers/solc.ts the repository, src/devnet/hd-keys.ts no keys file beside it (it derives them).

/**
 * Packages left in node_modules: those that find files beside their own code (esbuild's binary, solc's
 * compiler, Hardhat, Playwright, pino's worker transports) or load a native addon (secp256k1), and
 * fastify and ws with their plugins, CommonJS that Node's require loads without the ES loader's cost.
 */
export const KEPT_PACKAGES = ['esbuild', 'solc', 'hardhat', 'playwright-core', 'pino', 'secp256k1', 'fastify', '@fastify/*', 'ws'];

/** Where the shared chunks go, below the output folder. */
export const CHUNKS_DIR = 'test/chunks';

/** esbuild's metafile of the test files' build (each output's imports), below the output folder. */
export const META_FILE = 'test-bundles.meta.json';

/** esbuild's options for the test files, beside `outdir`'s and `entryPoints`. */
export const TEST_BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  chunkNames: `${CHUNKS_DIR}/[name]-[hash]`,
  external: KEPT_PACKAGES,
  // The CommonJS packages bundled into ES modules call require for Node's own modules.
  banner: { js: "import { createRequire as __testRequire } from 'node:module'; const require = __testRequire(import.meta.url);" },
};

/** A test file, which build-tests.mjs bundles rather than compiles alone. */
export const isTestFile = (file) => /^test[\\/](unit|e2e)[\\/][^\\/]+\.test\.ts$/.test(file);
