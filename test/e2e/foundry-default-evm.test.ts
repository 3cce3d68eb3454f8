// A Foundry project with forge's default EVM target, as a new project has it (no `evm_version` in
// foundry.toml: Osaka in forge 1.x, so inline assembly may use `clz`), deployed with `forge create`
// and called with `cast call` against the devnet CLI (test/fixtures/foundry-default). The devnet runs nv28's
// FEVM, whose instruction set has Osaka's only new instruction, CLZ (builtin-actors v18), as
// calibnet's does; the examples' `evm_version = "cancun"` is a choice, not a need.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { castOk, explainRun, forge, type FoundryRunOptions } from '../helpers/foundry.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const PROJECT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'foundry-default');

describe("forge's default EVM target (Osaka) against the devnet CLI", () => {
  const devnet = useDevnet();
  let tmp: string;
  let run: FoundryRunOptions;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'fvm-devnet-foundry-default-'));
    const home = join(tmp, 'home');
    mkdirSync(home);
    // forge's output folders out of the repository, and a home of its own (no ~/.foundry of the developer's).
    run = { cwd: PROJECT_DIR, env: { FOUNDRY_OUT: join(tmp, 'out'), FOUNDRY_CACHE_PATH: join(tmp, 'cache'), HOME: home } };
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('forge create deploys code built for Osaka; cast call runs its CLZ and its transient storage', async () => {
    const config = await forge(['config', '--json'], run);
    assert.equal(config.code, 0, explainRun('forge config --json', config, devnet));
    assert.equal(JSON.parse(config.stdout).evm_version, 'osaka', "the fixture leaves forge's default target");

    const args = ['create', 'src/Bits.sol:Bits', '--rpc-url', devnet.url, '--private-key', DEV_ACCOUNTS[0]!.privateKey, '--broadcast', '--json'];
    const created = await forge(args, run);
    assert.equal(created.code, 0, explainRun(`forge ${args.join(' ')}`, created, devnet));
    const { deployedTo } = JSON.parse(created.stdout.slice(created.stdout.indexOf('{'))) as { deployedTo: string };

    // Without CLZ in the FEVM (nv27 and earlier) these calls fail with exit 35 (undefined instruction).
    const call = (sig: string, arg: string): Promise<string> => castOk(['call', deployedTo, sig, arg, '--rpc-url', devnet.url]);
    assert.equal(await call('leadingZeros(uint256)(uint256)', '1'), '255');
    assert.equal(await call('leadingZeros(uint256)(uint256)', '0'), '256');
    assert.equal(await call('leadingZeros(uint256)(uint256)', String(1n << 255n)), '0');
    assert.equal(await call('throughTransient(uint256)(uint256)', '42'), '42');
  });
});
