// The Anvil cheat codes a Foundry user brings beyond the common ones (audit27 F6), sent with
// `cast rpc` as such a user sends them: time set outright, the genesis time, the mining interval,
// one sender's pool, mining with the blocks in the answer, token balances and allowances found
// through the token's own getters, rollback; and the refusals of what a Filecoin chain fixes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { AbiCoder, Interface, getAddress, getCreateAddress } from 'ethers';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { cast, castOk } from '../helpers/foundry.js';
import { compileFixtures, compileSolidity, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

interface Block {
  number: string;
  timestamp: string;
  transactions: { hash: string; nonce: string; output: string; revertReason?: string }[];
}

const SINK = '0x0000000000000000000000000000000000000042';

/**
 * A token laid out as an upgradeable one (USDFC's kind): balances and allowances in a struct at a
 * hashed (ERC-7201-style) location, behind a proxy that delegates every call, so the slots are
 * the proxy's and nothing near slot 0.
 */
const PROXIED_TOKEN_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract NamespacedToken {
    struct Balances { mapping(address => uint256) balances; mapping(address => mapping(address => uint256)) allowances; }
    bytes32 private constant LOCATION = keccak256("fvm-devnet.test.token");
    function _store() private pure returns (Balances storage s) { bytes32 location = LOCATION; assembly { s.slot := location } }
    function balanceOf(address holder) external view returns (uint256) { return _store().balances[holder]; }
    function allowance(address owner, address spender) external view returns (uint256) { return _store().allowances[owner][spender]; }
    function transfer(address to, uint256 value) external returns (bool) {
        Balances storage s = _store();
        s.balances[msg.sender] -= value;
        s.balances[to] += value;
        return true;
    }
}
contract DelegatingProxy {
    address private immutable implementation;
    constructor(address implementation_) { implementation = implementation_; }
    fallback() external {
        address target = implementation;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok case 0 { revert(0, returndatasize()) } default { return(0, returndatasize()) }
        }
    }
}
`;

describe('Anvil extra cheat codes through cast rpc', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;
  const [dev0, dev1, dev2] = [DEV_ACCOUNTS[0]!, DEV_ACCOUNTS[1]!, DEV_ACCOUNTS[2]!];

  const rpcUrl = (): string[] => ['--rpc-url', devnet.url];
  /** `cast rpc <method> <params…>`, its answer parsed. */
  const rpc = async <T = unknown>(method: string, ...params: string[]): Promise<T> => JSON.parse(await castOk(['rpc', method, ...params, ...rpcUrl()])) as T;
  /** `cast rpc --raw <method> <json params>`, its answer parsed. */
  const rpcRaw = async <T = unknown>(method: string, params: unknown[]): Promise<T> => JSON.parse(await castOk(['rpc', '--raw', method, JSON.stringify(params), ...rpcUrl()])) as T;
  /** The JSON-RPC error cast printed for a refused call. */
  const refusal = async (method: string, ...params: string[]): Promise<string> => {
    const r = await cast(['rpc', method, ...params, ...rpcUrl()]);
    assert.notEqual(r.code, 0, `${method} should be refused; stdout: ${r.stdout}`);
    return r.stderr;
  };
  const latest = async (): Promise<{ number: number; timestamp: number }> => {
    const block = await rpc<Block>('eth_getBlockByNumber', 'latest', 'false');
    return { number: Number(block.number), timestamp: Number(block.timestamp) };
  };
  /** Deploys `code` from dev account 0 (`--create` takes the rest of the command line, so it goes last). */
  const deploy = async (code: string): Promise<string> => {
    const receipt = JSON.parse(await castOk(['send', '--private-key', dev0.privateKey, '--json', ...rpcUrl(), '--create', code])) as { contractAddress: string };
    return getAddress(receipt.contractAddress);
  };
  const sendAsync = (key: string, nonce: number, ...args: string[]): Promise<string> =>
    castOk(['send', '--async', '--private-key', key, '--nonce', String(nonce), ...args, ...rpcUrl()]);

  before(async () => {
    artifacts = await compileFixtures();
  });

  test('evm_setTime / anvil_setTime set the next tipset\'s time (seconds, or milliseconds as Anvil takes them); an earlier time is refused', async () => {
    const head = await latest();
    const target = head.timestamp + 1_000_000;
    const offset = await rpc<number>('evm_setTime', String(target));
    // Anvil's answer: how far the set time is past the time the next tipset would have had.
    assert.ok(Number.isInteger(offset) && offset > 1_000_000 - 120 && offset < 1_000_000, `offset ${offset}`);
    assert.equal(await rpc('evm_mine'), '0x0');
    const mined = await latest();
    assert.ok(mined.timestamp >= target && mined.timestamp < target + 60, `timestamp ${mined.timestamp}, set ${target}`);

    const later = mined.timestamp + 5_000_000;
    await rpc('anvil_setTime', String(later * 1000));
    await rpc('evm_mine');
    const next = (await latest()).timestamp;
    assert.ok(next >= later && next < later + 60, `timestamp ${next}, set ${later} (as milliseconds)`);

    // With an interval set, the next tipset comes that interval after the time set, as in Anvil.
    await rpc('anvil_setBlockTimestampInterval', '60');
    const withInterval = next + 1_000;
    await rpc('evm_setTime', String(withInterval));
    await rpc('evm_mine');
    assert.equal((await latest()).timestamp, withInterval + 60);
    assert.equal(await rpc('anvil_removeBlockTimestampInterval'), true);

    assert.match(await refusal('evm_setTime', String(head.timestamp)), /-32602: timestamp \d+ is not after the latest block's \d+: time only moves forward on Filecoin/);
  });

  test('anvil_getGenesisTime is block 0\'s timestamp; anvil_getIntervalMining the timer\'s seconds or null', async () => {
    const genesis = await rpc<Block>('eth_getBlockByNumber', '0x0', 'false');
    assert.equal(await rpc('anvil_getGenesisTime'), Number(genesis.timestamp));
    assert.equal(await rpc('anvil_getIntervalMining'), null);
    await rpc('evm_setIntervalMining', '3600');
    assert.equal(await rpc('anvil_getIntervalMining'), 3600);
    await rpc('evm_setIntervalMining', '0');
    assert.equal(await rpc('anvil_getIntervalMining'), null);
    await rpc('evm_setAutomine', 'true');
  });

  test('anvil_getLastBlockWallTime is the wall-clock millisecond the head was mined at', async () => {
    const beforeMine = Date.now();
    await rpc('evm_mine');
    const afterMine = Date.now();
    const wall = await rpc<number>('anvil_getLastBlockWallTime');
    assert.ok(wall >= beforeMine && wall <= afterMine, `${wall} not within [${beforeMine}, ${afterMine}]`);
  });

  test('txpool_contentFrom shows one sender\'s pending and queued transactions; anvil_removePoolTransactions drops them all', async () => {
    await rpc('evm_setAutomine', 'false');
    const nonce0 = Number(await castOk(['nonce', dev0.address, ...rpcUrl()]));
    const nonce1 = Number(await castOk(['nonce', dev1.address, ...rpcUrl()]));
    const first = await sendAsync(dev0.privateKey, nonce0, SINK, '--value', '1');
    const second = await sendAsync(dev0.privateKey, nonce0 + 1, SINK, '--value', '2');
    const gapped = await sendAsync(dev0.privateKey, nonce0 + 3, SINK, '--value', '3');
    const other = await sendAsync(dev1.privateKey, nonce1, SINK, '--value', '4');

    type Content = { pending: Record<string, { hash: string; from: string }>; queued: Record<string, { hash: string }> };
    const content = await rpc<Content>('txpool_contentFrom', dev0.address);
    assert.deepEqual(Object.keys(content.pending).sort(), [String(nonce0), String(nonce0 + 1)].sort());
    assert.equal(content.pending[String(nonce0)]!.hash, first);
    assert.equal(content.pending[String(nonce0 + 1)]!.hash, second);
    assert.equal(getAddress(content.pending[String(nonce0)]!.from), dev0.address);
    assert.deepEqual(Object.keys(content.queued), [String(nonce0 + 3)]);
    assert.equal(content.queued[String(nonce0 + 3)]!.hash, gapped);
    assert.deepEqual(await rpc('txpool_contentFrom', dev2.address), { pending: {}, queued: {} });

    assert.equal(await rpc('anvil_removePoolTransactions', dev0.address), null);
    assert.deepEqual(await rpc('txpool_contentFrom', dev0.address), { pending: {}, queued: {} });
    const left = await rpc<Content>('txpool_contentFrom', dev1.address);
    assert.equal(left.pending[String(nonce1)]!.hash, other);
    await rpc('evm_mine');
    assert.equal(await rpc('eth_getTransactionByHash', first), null);
    assert.equal((await rpc<{ blockNumber: string }>('eth_getTransactionByHash', other)).blockNumber, (await rpc<string>('eth_blockNumber')));
    await rpc('evm_setAutomine', 'true');
  });

  test('anvil_mine_detailed / evm_mine_detailed answer the mined blocks with each transaction\'s output and revert reason', async () => {
    const counterArtifact = artifacts.Counter!;
    const deployNonce = Number(await castOk(['nonce', dev0.address, ...rpcUrl()]));
    const counter = await deploy(counterArtifact.bytecode);
    assert.equal(counter, getCreateAddress({ from: dev0.address, nonce: deployNonce }));
    const callee = await deploy(artifacts.TraceCallee!.bytecode);

    await rpc('evm_setAutomine', 'false');
    const nonce = deployNonce + 2;
    const increment = await sendAsync(dev0.privateKey, nonce, counter, 'increment()');
    // Failing transactions are mined too (their gas given: an estimate would refuse them).
    const failing = await sendAsync(dev0.privateKey, nonce + 1, '--gas-limit', '30000000', counter, 'fail()');
    const panicking = await sendAsync(dev0.privateKey, nonce + 2, '--gas-limit', '30000000', callee, 'divide(uint256,uint256)', '1', '0');
    const custom = await sendAsync(dev0.privateKey, nonce + 3, '--gas-limit', '30000000', counter, 'set(uint256)', '5000');
    const head = await latest();
    const timestamp = head.timestamp + 100;
    const [block, ...more] = await rpc<Block[]>('anvil_mine_detailed', String(timestamp));
    assert.equal(more.length, 0);
    assert.equal(Number(block!.number), head.number + 1);
    assert.equal(Number(block!.timestamp), timestamp);
    const byHash = new Map(block!.transactions.map((tx) => [tx.hash, tx]));
    assert.equal(byHash.get(increment)!.output, AbiCoder.defaultAbiCoder().encode(['uint256'], [1n]));
    assert.equal(byHash.get(increment)!.revertReason, undefined);
    assert.equal(byHash.get(failing)!.output, '0x08c379a0' + AbiCoder.defaultAbiCoder().encode(['string'], ['nope']).slice(2));
    assert.equal(byHash.get(failing)!.revertReason, 'nope');
    // A Panic as alloy prints it; a custom error Anvil knows no ABI for, by its selector and data.
    assert.equal(byHash.get(panicking)!.revertReason, 'panic: division or modulo by zero (0x12)');
    const tooLarge = new Interface(counterArtifact.abi).encodeErrorResult('TooLarge', [5000n, 1000n]);
    assert.equal(byHash.get(custom)!.output, tooLarge);
    assert.equal(byHash.get(custom)!.revertReason, `custom error ${tooLarge.slice(0, 10)}: ${tooLarge.slice(10)}`);

    const blocks = await rpcRaw<Block[]>('evm_mine_detailed', [{ blocks: 3 }]);
    assert.deepEqual(blocks.map((b) => Number(b.number)), [head.number + 2, head.number + 3, head.number + 4]);
    assert.deepEqual(blocks.map((b) => b.transactions), [[], [], []]);
    await rpc('evm_setAutomine', 'true');
  });

  test('anvil_dealERC20 and anvil_setERC20Allowance find the token\'s slots through balanceOf and allowance; a contract without them is refused', async () => {
    const token = artifacts.PermitToken!;
    const iface = new Interface(token.abi);
    const create = token.bytecode + iface.encodeDeploy(['Devnet USD', 1000n]).slice(2);
    const address = await deploy(create);
    const balanceOf = (holder: string) => castOk(['call', address, 'balanceOf(address)(uint256)', holder, ...rpcUrl()]);

    assert.equal(await rpc('anvil_dealERC20', dev1.address, address, '0x3635c9adc5dea00000'), null);
    assert.equal(await balanceOf(dev1.address), '1000000000000000000000 [1e21]');
    // The other names, and the holder's balance set again (the slot holds a value now).
    await rpc('anvil_setERC20Balance', dev1.address, address, '0x7');
    assert.equal(await balanceOf(dev1.address), '7');
    await rpc('hardhat_dealERC20', dev2.address, address, '0x9');
    assert.equal(await balanceOf(dev2.address), '9');
    assert.equal(await balanceOf(dev0.address), '1000');

    assert.equal(await rpc('anvil_setERC20Allowance', dev1.address, dev2.address, address, '0x64'), null);
    assert.equal(await castOk(['call', address, 'allowance(address,address)(uint256)', dev1.address, dev2.address, ...rpcUrl()]), '100');
    // The balance and allowance are the token's own: dev2 spends dev1's tokens with them.
    await castOk(['send', '--private-key', dev2.privateKey, address, 'transferFrom(address,address,uint256)', dev1.address, dev2.address, '5', ...rpcUrl()]);
    assert.equal(await balanceOf(dev1.address), '2');
    assert.equal(await balanceOf(dev2.address), '14');

    // No balanceOf to read a slot from: Anvil's -32603 and words.
    const counter = await deploy(artifacts.Counter!.bytecode);
    assert.match(await refusal('anvil_dealERC20', dev1.address, counter, '0x1'), /-32603: Unable to set ERC20 balance, no slot found/);
    assert.match(await refusal('anvil_setERC20Allowance', dev1.address, dev2.address, SINK, '0x1'), /-32603: Unable to set ERC20 allowance, no slot found/);
  });

  test('anvil_dealERC20 and anvil_setERC20Allowance find the slots of a token behind a proxy, at a hashed storage location', async () => {
    const { NamespacedToken, DelegatingProxy } = await compileSolidity({ 'ProxiedToken.sol': PROXIED_TOKEN_SOURCE });
    const implementation = await deploy(NamespacedToken!.bytecode);
    const proxy = await deploy(DelegatingProxy!.bytecode + AbiCoder.defaultAbiCoder().encode(['address'], [implementation]).slice(2));
    await rpc('anvil_dealERC20', dev1.address, proxy, '0x2710');
    assert.equal(await castOk(['call', proxy, 'balanceOf(address)(uint256)', dev1.address, ...rpcUrl()]), '10000 [1e4]');
    // The proxy's storage holds it, not the implementation's.
    assert.equal(await castOk(['call', implementation, 'balanceOf(address)(uint256)', dev1.address, ...rpcUrl()]), '0');
    await rpc('anvil_setERC20Allowance', dev1.address, dev2.address, proxy, '0x2a');
    assert.equal(await castOk(['call', proxy, 'allowance(address,address)(uint256)', dev1.address, dev2.address, ...rpcUrl()]), '42');
    await castOk(['send', '--private-key', dev1.privateKey, proxy, 'transfer(address,uint256)', dev2.address, '4000', ...rpcUrl()]);
    assert.equal(await castOk(['call', proxy, 'balanceOf(address)(uint256)', dev2.address, ...rpcUrl()]), '4000');
  });

  test('anvil_rollback drops the last epochs as evm_revert drops them (their transactions gone, the pool kept); past the first tipset is refused', async () => {
    const start = await latest();
    const sent = JSON.parse(await castOk(['send', '--private-key', dev0.privateKey, '--json', SINK, '--value', '5', ...rpcUrl()])) as { transactionHash: string; blockNumber: string };
    assert.equal(Number(sent.blockNumber), start.number + 1);
    await rpc('anvil_mine', '0x2');
    assert.equal((await latest()).number, start.number + 3);

    await rpc('evm_setAutomine', 'false');
    const nonce1 = Number(await castOk(['nonce', dev1.address, ...rpcUrl()]));
    const pending = await sendAsync(dev1.privateKey, nonce1, SINK, '--value', '6');

    assert.equal(await rpc('anvil_rollback'), null);
    assert.equal((await latest()).number, start.number + 2);
    assert.equal(await rpc('anvil_rollback', '2'), null);
    const head = await latest();
    assert.equal(head.number, start.number);
    assert.equal(head.timestamp, start.timestamp);
    assert.equal(await rpc('eth_getTransactionByHash', sent.transactionHash), null);
    assert.equal((await rpc<{ pending: Record<string, unknown> }>('txpool_contentFrom', dev1.address)).pending[String(nonce1)] !== undefined, true);

    // The chain goes on: the pooled transaction is mined after the new head, and time moves forward from it.
    await rpc('evm_mine');
    const mined = await latest();
    assert.equal(mined.number, start.number + 1);
    assert.ok(mined.timestamp > start.timestamp);
    assert.equal((await rpc<{ blockNumber: string }>('eth_getTransactionByHash', pending)).blockNumber, '0x' + mined.number.toString(16));
    await rpc('evm_setAutomine', 'true');

    assert.match(await refusal('anvil_rollback', String(mined.number + 1)), new RegExp(`-32602: Rollback depth must not exceed current chain height: current height ${mined.number}, depth ${mined.number + 1}`));
  });

  test('anvil_setChainId, anvil_setNextBlockPrevRandao and anvil_impersonateSignature are refused with the way round', async () => {
    assert.match(await refusal('anvil_setChainId', '1337'), /the chain id is fixed for a Filecoin network .*--chain-id/);
    assert.match(await refusal('anvil_setNextBlockPrevRandao', '0x' + '11'.repeat(32)), /PREVRANDAO comes from the randomness beacon .*--seed/);
    assert.match(await refusal('anvil_impersonateSignature', '0x' + '22'.repeat(65), dev1.address), /signature must prove its sender .*anvil_impersonateAccount/);
    assert.equal(await castOk(['chain-id', ...rpcUrl()]), '31415926');
  });
});

describe('anvil_dealERC20 on a fork: a dev account given a token the upstream holds', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let token: string;
  const [dev0, dev1] = [DEV_ACCOUNTS[0]!, DEV_ACCOUNTS[1]!];
  const balanceOf = (node: DevnetProcess, holder: string) => castOk(['call', token, 'balanceOf(address)(uint256)', holder, '--rpc-url', node.url]);

  useForkSuite('fvm-deal-erc20-', () => [fork, upstream]);

  before(async () => {
    const artifact = (await compileFixtures()).PermitToken!;
    upstream = await startDevnet();
    const create = artifact.bytecode + new Interface(artifact.abi).encodeDeploy(['Upstream USD', 500n]).slice(2);
    const receipt = JSON.parse(await castOk(['send', '--private-key', dev0.privateKey, '--json', '--rpc-url', upstream.url, '--create', create])) as { contractAddress: string; blockNumber: string };
    token = getAddress(receipt.contractAddress);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(Number(receipt.blockNumber))]);
  });

  test('the fork finds the balance slot through the forked token and sets it there only', async () => {
    assert.equal(await castOk(['rpc', 'anvil_dealERC20', dev1.address, token, '0x3e8', '--rpc-url', fork.url]), 'null');
    assert.equal(await balanceOf(fork, dev1.address), '1000');
    assert.equal(await balanceOf(fork, dev0.address), '500');
    assert.equal(await balanceOf(upstream, dev1.address), '0');
    // The dealt tokens are spendable on the fork.
    await castOk(['send', '--private-key', dev1.privateKey, token, 'transfer(address,uint256)', dev0.address, '250', '--rpc-url', fork.url]);
    assert.equal(await balanceOf(fork, dev0.address), '750');
  });

  test('anvil_removePoolTransactions of an address the fork never read answers null', async () => {
    assert.equal(await castOk(['rpc', 'anvil_removePoolTransactions', DEV_ACCOUNTS[7]!.address, '--rpc-url', fork.url]), 'null');
    assert.equal(await castOk(['rpc', 'anvil_removePoolTransactions', '0x' + '5a'.repeat(20), '--rpc-url', fork.url]), 'null');
  });
});
