// OpenZeppelin's Create2 library (@openzeppelin/contracts 5.x utils/Create2.sol) in a factory as its
// docs show it (https://docs.openzeppelin.com/contracts/5.x/api/utils#Create2): `computeAddress`
// predicts where `deploy` puts a contract, and `deploy` reverts with the constructor's own revert data,
// `FailedDeployment()` when nothing was created (the address is taken) or `InsufficientBalance` before
// trying. Each of these rests on what a FEVM CREATE2 leaves: the address, or zero with the
// constructor's revert data as RETURNDATA (builtin-actors evm lifecycle.rs create_common), which the
// library bubbles up. Anvil answers each the same (checked by hand).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { AbiCoder, Contract, ContractFactory, getCreate2Address, JsonRpcProvider, keccak256, toBeHex, Wallet, type InterfaceAbi } from 'ethers';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { compileSolidity } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const OZ_UTILS = join(dirname(createRequire(import.meta.url).resolve('@openzeppelin/contracts/package.json')), 'utils');

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

contract Child {
    address public creator;
    uint256 public value;
    constructor(uint256 v) {
        require(v != 13, "unlucky");
        creator = msg.sender;
        value = v;
    }
}

contract Create2Factory {
    event Deployed(address addr);
    function deploy(bytes32 salt, bytes memory code) external returns (address addr) {
        addr = Create2.deploy(0, salt, code);
        emit Deployed(addr);
    }
    function deployWithValue(uint256 amount, bytes32 salt, bytes memory code) external returns (address) {
        return Create2.deploy(amount, salt, code);
    }
    function computeAddress(bytes32 salt, bytes32 codeHash) external view returns (address) {
        return Create2.computeAddress(salt, codeHash);
    }
}
`;

describe("OpenZeppelin's Create2 library against the devnet", () => {
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let factory: Contract;
  let childCode: (v: bigint) => string;

  before(async () => {
    // Create2.sol and what it imports, under the names solc resolves them by.
    const library = ['Create2.sol', 'Errors.sol', 'LowLevelCall.sol'].map((file) => [`@openzeppelin/contracts/utils/${file}`, readFileSync(join(OZ_UTILS, file), 'utf8')]);
    const sources = { 'Create2Factory.sol': SOURCE, ...Object.fromEntries(library) };
    const { Create2Factory, Child } = await compileSolidity(sources);
    childCode = (v) => Child!.bytecode + AbiCoder.defaultAbiCoder().encode(['uint256'], [v]).slice(2);
    provider = devnet.provider;
    const deployer = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
    factory = (await (await new ContractFactory(Create2Factory!.abi as InterfaceAbi, Create2Factory!.bytecode, deployer).deploy()).waitForDeployment()) as Contract;
  });

  test('computeAddress predicts where deploy puts the contract, which the factory created', async () => {
    const salt = toBeHex(1, 32);
    const code = childCode(7n);
    const expected = getCreate2Address(await factory.getAddress(), salt, keccak256(code));
    assert.equal(await factory.getFunction('computeAddress')(salt, keccak256(code)), expected);
    const receipt = await (await factory.getFunction('deploy')(salt, code)).wait();
    assert.equal(receipt.status, 1);
    assert.deepEqual(receipt.logs.map((log: { data: string }) => factory.interface.decodeEventLog('Deployed', log.data)[0]), [expected]);
    const child = new Contract(expected, ['function creator() view returns (address)', 'function value() view returns (uint256)'], provider);
    assert.equal(await child.getFunction('creator')(), await factory.getAddress());
    assert.equal(await child.getFunction('value')(), 7n);
  });

  test("deploy reverts with the constructor's reason, FailedDeployment() on a taken address, InsufficientBalance without the value", async () => {
    const deploy = factory.getFunction('deploy');
    // The constructor's require: its Error(string) comes back through CREATE2's return data.
    await assert.rejects(deploy.staticCall(toBeHex(2, 32), childCode(13n)), (err: { reason?: string }) => err.reason === 'unlucky');
    // Deployed once, the address holds a contract, so a second CREATE2 there creates nothing.
    assert.equal((await (await deploy(toBeHex(4, 32), childCode(7n))).wait()).status, 1);
    await assert.rejects(deploy.estimateGas(toBeHex(4, 32), childCode(7n)), (err: { data?: string }) => err.data === factory.interface.getError('FailedDeployment')!.selector);
    const insufficient = factory.interface.encodeErrorResult('InsufficientBalance', [0n, 5n]);
    await assert.rejects(factory.getFunction('deployWithValue').staticCall(5n, toBeHex(3, 32), childCode(1n)), (err: { data?: string }) => err.data === insufficient);
  });
});
