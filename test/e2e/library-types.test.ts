// The library as a TypeScript user gets it: the built package packed (`npm pack`, what the registry
// would hold), unpacked into a new project's node_modules beside the packages npm would install
// with it (its dependencies, linked from ours) and the user's own typescript and @types/node. The
// project imports the public API under `strict`, with module resolution node16 and bundler, is
// type-checked by its own tsc, and runs: a node on port 0 answers eth_chainId and closes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultConfig } from '../../src/config.js';
import { REPO_ROOT } from '../helpers/solc.js';

const run = promisify(execFile);

/** The user's program: each import used, and one line that is an error only if the types are real (not `any`). */
const MAIN = `import { createDevnet, defaultConfig, startDevnet, type DevnetConfig, type RunningDevnet } from 'fvm-devnet';

const config: DevnetConfig = { ...defaultConfig(), port: 0, silent: true };
// @ts-expect-error a port is a number (were the package untyped, this line would be no error, and the directive one)
const wrong: DevnetConfig = { ...config, port: '8545' };
void wrong;
const node: RunningDevnet = await startDevnet(config);
const response = await fetch(node.url, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
});
const { result } = (await response.json()) as { result: string };
await node.close();
const devnet = await createDevnet({ ...config });
const chainId: bigint = devnet.chainId;
devnet.close();
console.log(JSON.stringify({ answered: result, created: \`0x\${chainId.toString(16)}\` }));
`;

/** \`tsc --init\`'s strict options, with a module resolution of its own and the Node types its comment tells Node projects to add. */
const compilerOptions = (options: Record<string, unknown>) => ({
  target: 'es2022',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  types: ['node'],
  ...options,
});

const CONFIGS = {
  'tsconfig.json': { compilerOptions: compilerOptions({ module: 'node16', moduleResolution: 'node16', outDir: 'out' }), files: ['main.ts'] },
  'tsconfig.bundler.json': { compilerOptions: compilerOptions({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }), files: ['main.ts'] },
  // The package's own declarations checked too, under options a user may have (third parties' are theirs).
  'tsconfig.libcheck.json': { compilerOptions: compilerOptions({ module: 'node16', moduleResolution: 'node16', noEmit: true, skipLibCheck: false }), files: ['main.ts'] },
};

describe('the packed package, imported by a TypeScript project', () => {
  let project: string;

  const tsc = (config: string) =>
    run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: project }).then(
      () => '',
      (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
    );

  before(async () => {
    project = mkdtempSync(join(tmpdir(), 'fvm-devnet-types-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    const installed = join(project, 'node_modules', 'fvm-devnet');
    mkdirSync(installed, { recursive: true });
    await run('tar', ['-xzf', join(project, filename), '-C', installed, '--strip-components=1']);
    const { dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of [...Object.keys(dependencies), 'typescript', '@types/node']) {
      const link = join(project, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(REPO_ROOT, 'node_modules', name), link, 'dir');
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    writeFileSync(join(project, 'main.ts'), MAIN);
    for (const [file, config] of Object.entries(CONFIGS)) writeFileSync(join(project, file), JSON.stringify(config, null, 2));
  });

  after(() => rmSync(project, { recursive: true, force: true }));

  test('moduleResolution node16: type-checks, compiles and runs (a node on port 0 answers eth_chainId)', async () => {
    assert.equal(await tsc('tsconfig.json'), '');
    const { stdout } = await run(process.execPath, [join(project, 'out', 'main.js')], { cwd: project });
    const chainId = `0x${defaultConfig().chainId.toString(16)}`;
    assert.deepEqual(JSON.parse(stdout), { answered: chainId, created: chainId });
  });

  test('moduleResolution bundler: type-checks', async () => {
    assert.equal(await tsc('tsconfig.bundler.json'), '');
  });

  test("with skipLibCheck off, no error but in third parties' declarations", async () => {
    const errors = (await tsc('tsconfig.libcheck.json')).split('\n').filter((line) => /\berror TS\d+:/.test(line));
    const thirdParty = (error: string) => /node_modules\/(?!fvm-devnet\/)/.test(error.slice(0, error.indexOf('(')));
    assert.deepEqual(errors.filter((error) => !thirdParty(error)), []);
  });
});
