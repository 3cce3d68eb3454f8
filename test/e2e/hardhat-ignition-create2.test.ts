// Hardhat Ignition's `--strategy create2` (https://hardhat.org/ignition/docs/guides/create2) on
// `hardhat init`'s JavaScript sample (its Lock and Ignition module, copied from the installed Hardhat;
// config: test/fixtures/hardhat-create2). The strategy deploys through CreateX at
// 0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed, which calibnet and mainnet have and a new devnet does not
// (its code is AGPL-3.0-only: the repository holds none of it): Ignition stops. README's recipe puts it
// there as its deployer did on calibnet: the deployer, impersonated (its nonce set back to 0 after a
// failed attempt), sends as its first transaction the init code of CreateX's pre-signed deployment,
// read from the project's own @nomicfoundation/ignition-core (its createx-artifact.js, which Ignition
// replays on chain 31337 only).
// No pre-signed deployment can do it: they allow at most 45 M gas, and the FEVM needs about 66 M.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { AbiCoder, Contract, getCreate2Address, JsonRpcProvider, keccak256, parseUnits, toBeHex } from 'ethers';
import { cast, castOk } from '../helpers/foundry.js';
import { describeRunAndNode, hardhat, sampleProject, type HardhatRun } from '../helpers/hardhat.js';
import { useDevnet } from '../helpers/use-devnet.js';

const CREATEX = '0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed';
/** CreateX's deployer, the signer of its pre-signed deployments. */
const CREATEX_DEPLOYER = '0xeD456e05CaAb11d66C4c797dD6c1D6f9A7F352b5';
/** README's `node -p` expression: the init code of the pre-signed deployment in the project's ignition-core. */
const INIT_CODE_EXPRESSION =
  "require('ethers').Transaction.from(require('./node_modules/@nomicfoundation/ignition-core/dist/src/internal/execution/strategy/createx-artifact.js').presignedTx).data";
/** The code hash Ignition checks before deploying through CreateX (ignition-core create2-strategy). */
const CREATEX_CODE_HASH = '0xbd8a7ea8cfca7b4e5f5041d7d4b17bc317c5ce42cfbc42066a00cf26b43eb53f';
/** The salt in the fixture's config, as the guide writes it. */
const SALT = toBeHex(0, 32);
// The sample module's defaults (ignition/modules/Lock.js): Jan 1st 2030, 1 gwei.
const UNLOCK_TIME = 1_893_456_000n;
const LOCKED_AMOUNT = parseUnits('1', 'gwei');
// Only catches a hung Hardhat (see hardhat-default-config.test.ts).
const TIMEOUT_MS = 300_000;

describe("Hardhat Ignition's --strategy create2 (CreateX) against the devnet", () => {
  const projectDir = mkdtempSync(join(tmpdir(), 'fvm-devnet-ignition-create2-'));
  const devnet = useDevnet();

  const deploy = (): Promise<HardhatRun> =>
    hardhat(
      projectDir,
      ['ignition', 'deploy', 'ignition/modules/Lock.js', '--network', 'localhost', '--strategy', 'create2'],
      { FVM_DEVNET_URL: devnet.url, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: 'false' },
      TIMEOUT_MS,
    );
  const explain = (why: string, result: HardhatRun): string => describeRunAndNode(why, result, devnet);

  before(() => {
    sampleProject(projectDir, 'javascript', ['contracts', 'ignition'], 'hardhat-create2');
  });
  after(async () => {
    rmSync(projectDir, { recursive: true, force: true });
  });

  test('a new devnet has no CreateX: Ignition stops as README says', async () => {
    const result = await deploy();
    assert.notEqual(result.code, 0, explain('ignition deploy succeeded without CreateX', result));
    assert.match(result.output, /CreateX not deployed on current network 31415926/, explain('not the error README names', result));
  });

  test("README's recipe after a failed pre-signed attempt (its nonce back to 0): Ignition deploys Lock at the address CreateX gives it on every chain", async () => {
    const rpc = ['--rpc-url', devnet.url];
    const createxInitCode = (await promisify(execFile)(process.execPath, ['-p', INIT_CODE_EXPRESSION], { cwd: projectDir })).stdout.trim();
    await castOk(['rpc', 'anvil_impersonateAccount', CREATEX_DEPLOYER, ...rpc]);
    await castOk(['rpc', 'anvil_setBalance', CREATEX_DEPLOYER, '0x56bc75e2d63100000', ...rpc]);
    // What CreateX's 25 M pre-signed deployment does here: the same sender, nonce and init code run out
    // of gas (status 0), which uses up nonce 0.
    const failed = await cast(['send', '--unlocked', '--from', CREATEX_DEPLOYER, ...rpc, '--gas-limit', '25000000', '--json', '--create', createxInitCode]);
    assert.equal((JSON.parse(failed.stdout) as { status: string }).status, '0x0');
    assert.equal(await castOk(['nonce', CREATEX_DEPLOYER, ...rpc]), '1');
    assert.equal(await castOk(['code', CREATEX, ...rpc]), '0x');

    // README's four commands.
    await castOk(['rpc', 'anvil_impersonateAccount', CREATEX_DEPLOYER, ...rpc]);
    await castOk(['rpc', 'anvil_setBalance', CREATEX_DEPLOYER, '0x56bc75e2d63100000', ...rpc]);
    await castOk(['rpc', 'anvil_setNonce', CREATEX_DEPLOYER, '0x0', ...rpc]);
    await castOk(['send', '--unlocked', '--from', CREATEX_DEPLOYER, ...rpc, '--create', createxInitCode]);
    assert.equal(keccak256(await castOk(['code', CREATEX, ...rpc])), CREATEX_CODE_HASH);

    const result = await deploy();
    assert.equal(result.code, 0, explain('ignition deploy --strategy create2 failed', result));
    const lock = /LockModule#Lock - (0x[0-9a-fA-F]{40})/.exec(result.output)?.[1];
    assert.ok(lock, explain('Ignition printed no deployed address', result));
    // CreateX hashes a salt that names neither the sender nor a chain (keccak256(abi.encode(salt))),
    // so the address is the same on every chain that has CreateX: calibnet's, Anvil's.
    const artifact = JSON.parse(readFileSync(join(projectDir, 'artifacts', 'contracts', 'Lock.sol', 'Lock.json'), 'utf8')) as { bytecode: string };
    const initCode = artifact.bytecode + AbiCoder.defaultAbiCoder().encode(['uint256'], [UNLOCK_TIME]).slice(2);
    assert.equal(lock, getCreate2Address(CREATEX, keccak256(SALT), keccak256(initCode)), explain('not the CREATE2 address', result));
    const provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const deployed = new Contract(lock, ['function owner() view returns (address)', 'function unlockTime() view returns (uint256)'], provider);
      // CreateX created it with the module's value; so CreateX is its msg.sender, hence its owner.
      assert.equal(await deployed.getFunction('owner')(), CREATEX);
      assert.equal(await deployed.getFunction('unlockTime')(), UNLOCK_TIME);
      assert.equal(await provider.getBalance(lock), LOCKED_AMOUNT);
    } finally {
      provider.destroy();
    }
  });
});
