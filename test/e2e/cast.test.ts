// End to end with Foundry's cast (the platform binary, so exit codes are real) against the devnet CLI.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { AbiCoder, Interface, Wallet, getAddress, getCreateAddress, parseEther } from 'ethers';
import { DEV_ACCOUNTS, DEV_ACCOUNT_BALANCE, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { cast, castOk } from '../helpers/foundry.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

interface CastReceipt {
  status: string;
  transactionHash: string;
  contractAddress: string | null;
  from: string;
  to: string | null;
  logs: { address: string; topics: string[]; data: string }[];
}

describe('Foundry cast against the devnet CLI', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;
  let counter: string;
  const sender = DEV_ACCOUNTS[0]!;

  const rpc = (): string[] => ['--rpc-url', devnet.url];

  before(async () => {
    artifacts = await compileFixtures();
  });

  async function sendJson(args: string[]): Promise<CastReceipt> {
    const out = await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', ...args]);
    return JSON.parse(out) as CastReceipt;
  }

  test('cast chain-id', async () => {
    assert.equal(await castOk(['chain-id', ...rpc()]), String(DEVNET_CHAIN_ID));
  });

  test('cast balance of a dev account', async () => {
    assert.equal(await castOk(['balance', DEV_ACCOUNTS[5]!.address, ...rpc()]), DEV_ACCOUNT_BALANCE.toString());
  });

  test('cast send --value 1ether to a fresh address, then cast receipt', async () => {
    const to = Wallet.createRandom().address;
    const receipt = await sendJson([to, '--value', '1ether']);
    assert.equal(receipt.status, '0x1');
    assert.equal(getAddress(receipt.from), sender.address);
    assert.equal(getAddress(receipt.to!), to);
    assert.match(receipt.transactionHash, /^0x[0-9a-f]{64}$/);
    assert.equal(await castOk(['balance', to, ...rpc()]), parseEther('1').toString());

    const status = await castOk(['receipt', receipt.transactionHash, 'status', ...rpc()]);
    assert.match(status, /^(true|1 \(success\))$/, `cast receipt status printed ${status}`);
    const full = JSON.parse(await castOk(['receipt', receipt.transactionHash, '--json', ...rpc()])) as CastReceipt;
    assert.equal(full.status, '0x1');
    assert.equal(full.transactionHash, receipt.transactionHash);
  });

  test('cast send --create deploys Counter; cast call and cast send use it', async () => {
    const nonce = Number(await castOk(['nonce', sender.address, ...rpc()]));
    const deployed = await sendJson(['--create', artifacts.Counter!.bytecode]);
    assert.equal(deployed.status, '0x1');
    counter = getAddress(deployed.contractAddress!);
    assert.equal(counter, getCreateAddress({ from: sender.address, nonce }));
    assert.equal(await castOk(['code', counter, ...rpc()]), artifacts.Counter!.deployedBytecode);

    assert.equal(await castOk(['call', counter, 'count()(uint256)', ...rpc()]), '0');
    assert.equal(await castOk(['call', counter, 'MAX()(uint256)', ...rpc()]), '1000');

    const inc = await sendJson([counter, 'increment()']);
    assert.equal(inc.status, '0x1');
    assert.equal(inc.logs.length, 1);
    const iface = new Interface(artifacts.Counter!.abi);
    const parsed = iface.parseLog(inc.logs[0]!)!;
    assert.equal(parsed.name, 'Incremented');
    assert.equal(parsed.args.by, sender.address);
    assert.equal(parsed.args.newCount, 1n);
    assert.equal(await castOk(['call', counter, 'count()(uint256)', ...rpc()]), '1');
    const status = await castOk(['receipt', inc.transactionHash, 'status', ...rpc()]);
    assert.match(status, /^(true|1 \(success\))$/, `cast receipt status printed ${status}`);

    assert.equal((await sendJson([counter, 'set(uint256)', '77'])).status, '0x1');
    assert.equal(await castOk(['call', counter, 'count()(uint256)', ...rpc()]), '77');
  });

  test("cast estimate answers the node's eth_estimateGas (Filecoin gas); cast storage, nonce and code with --block read that block's state", async () => {
    assert.ok(counter, 'Counter was deployed by an earlier test');
    const iface = new Interface(artifacts.Counter!.abi);
    const call = { from: sender.address, to: counter, data: iface.encodeFunctionData('set', [5n]) };
    const estimate = BigInt(await castOk(['estimate', '--from', sender.address, counter, 'set(uint256)', '5', ...rpc()]));
    assert.equal(estimate, BigInt(await devnet.provider.send('eth_estimateGas', [call])));
    // Filecoin gas: millions where Ethereum counts some 30 000 for this call.
    assert.ok(estimate > 1_000_000n, `estimate ${estimate}`);
    const creation = BigInt(await castOk(['estimate', '--from', sender.address, ...rpc(), '--create', artifacts.Counter!.bytecode]));
    assert.equal(creation, BigInt(await devnet.provider.send('eth_estimateGas', [{ from: sender.address, data: artifacts.Counter!.bytecode }])));

    const first = JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', counter, 'set(uint256)', '8'])) as { blockNumber: string };
    const nonceThen = await castOk(['nonce', sender.address, ...rpc()]);
    // Back to the count the later tests expect.
    assert.equal((await sendJson([counter, 'set(uint256)', '77'])).status, '0x1');
    const at = String(Number(first.blockNumber));
    // count is slot 0.
    assert.equal(BigInt(await castOk(['storage', counter, '0', '--block', at, ...rpc()])), 8n);
    assert.equal(BigInt(await castOk(['storage', counter, '0', ...rpc()])), 77n);
    assert.equal(await castOk(['nonce', sender.address, '--block', at, ...rpc()]), nonceThen);
    assert.equal(Number(await castOk(['nonce', sender.address, ...rpc()])), Number(nonceThen) + 1);
    assert.equal(await castOk(['code', counter, '--block', at, ...rpc()]), artifacts.Counter!.deployedBytecode);
    assert.equal(await castOk(['code', counter, '--block', '0', ...rpc()]), '0x');
  });

  test('cast call of a custom-error revert fails and shows the revert data', async () => {
    assert.ok(counter, 'Counter was deployed by the previous test');
    const iface = new Interface(artifacts.Counter!.abi);
    const data = iface.encodeErrorResult('TooLarge', [5000n, 1000n]).toLowerCase();
    assert.equal(data.slice(0, 10), iface.getError('TooLarge')!.selector);

    const r = await cast(['call', counter, 'set(uint256)', '5000', ...rpc()]);
    assert.notEqual(r.code, 0, `cast call should fail; stdout: ${r.stdout}`);
    const output = (r.stderr + r.stdout).toLowerCase();
    assert.match(output, /revert/, output);
    assert.ok(output.includes(data), `revert data ${data} missing from: ${output}`);

    // Sending it fails at gas estimation, and nothing changes.
    const s = await cast(['send', '--private-key', sender.privateKey, ...rpc(), counter, 'set(uint256)', '5000']);
    assert.notEqual(s.code, 0, `cast send should fail; stdout: ${s.stdout}`);
    assert.ok((s.stderr + s.stdout).toLowerCase().includes(data), s.stderr);
    assert.equal(await castOk(['call', counter, 'count()(uint256)', ...rpc()]), '77');
  });

  test('cast call of require(false, "nope") fails with the reason', async () => {
    assert.ok(counter, 'Counter was deployed by an earlier test');
    const data = ('0x08c379a0' + AbiCoder.defaultAbiCoder().encode(['string'], ['nope']).slice(2)).toLowerCase();
    const r = await cast(['call', counter, 'fail()(uint256)', ...rpc()]);
    assert.notEqual(r.code, 0, `cast call should fail; stdout: ${r.stdout}`);
    const output = r.stderr + r.stdout;
    assert.match(output, /nope/, output);
    assert.ok(output.toLowerCase().includes(data), `revert data missing from: ${output}`);
  });

  // cast 1.7.1 sends `cast rpc` arguments that parse as JSON as JSON: `12` is a number, which Lotus's block
  // parameters (strings) refuse and Anvil takes; `0xc` is sent as a string (newuser U2).
  test('cast rpc with a block number: 12 is refused with what to send, 0x0 works, {"blockNumber": 0} is read', async () => {
    const refused = await cast(['rpc', 'eth_getBlockByNumber', '12', 'false', ...rpc()]);
    assert.notEqual(refused.code, 0, `cast rpc should fail; stdout: ${refused.stdout}`);
    assert.match(refused.stderr, /-32602/, refused.stderr);
    assert.ok(refused.stderr.includes('("0xc" or "12")'), refused.stderr);

    const block = JSON.parse(await castOk(['rpc', 'eth_getBlockByNumber', '0x0', 'false', ...rpc()])) as { number: string };
    assert.equal(block.number, '0x0');
    const balance = JSON.parse(await castOk(['rpc', 'eth_getBalance', DEV_ACCOUNTS[6]!.address, '{"blockNumber": 0}', ...rpc()]));
    assert.equal(BigInt(balance), DEV_ACCOUNT_BALANCE);
  });

  // An Anvil script's amounts (newuser3 U9): `1000` goes as a JSON number, which Anvil 1.7.1's U256
  // takes, and so does a decimal string; one above 2^53 - 1 cannot be exact once parsed: refused with what to send.
  test('cast rpc anvil_setBalance / anvil_setNextBlockBaseFeePerGas with decimal amounts and evm_revert with a number, as Anvil takes them', async () => {
    const holder = '0x' + 'a1'.repeat(20);
    await castOk(['rpc', 'anvil_setBalance', holder, '1000', ...rpc()]);
    assert.equal(await castOk(['balance', holder, ...rpc()]), '1000');
    await castOk(['rpc', 'anvil_setBalance', '--raw', `["${holder}", "1234567890123456789"]`, ...rpc()]);
    assert.equal(await castOk(['balance', holder, ...rpc()]), '1234567890123456789');
    const refused = await cast(['rpc', 'anvil_setBalance', holder, '1000000000000000000', ...rpc()]);
    assert.notEqual(refused.code, 0, `cast rpc should fail; stdout: ${refused.stdout}`);
    assert.match(refused.stderr, /-32602.*above 2\^53 - 1.*send the amount as a hex or decimal string/, refused.stderr);
    await castOk(['rpc', 'anvil_setNextBlockBaseFeePerGas', '1000000000', ...rpc()]);
    await castOk(['rpc', 'evm_mine', ...rpc()]);
    const head = JSON.parse(await castOk(['rpc', 'eth_getBlockByNumber', 'latest', 'false', ...rpc()])) as { baseFeePerGas: string; hash: string };
    assert.equal(BigInt(head.baseFeePerGas), 1_000_000_000n);
    // A snapshot id as a number too (Anvil's U256), as `cast rpc evm_revert 1` sends it.
    const snapshot = Number(JSON.parse(await castOk(['rpc', 'evm_snapshot', ...rpc()])));
    await castOk(['rpc', 'evm_mine', ...rpc()]);
    assert.equal(await castOk(['rpc', 'evm_revert', String(snapshot), ...rpc()]), 'true');
    assert.equal(JSON.parse(await castOk(['rpc', 'eth_getBlockByNumber', 'latest', 'false', ...rpc()])).hash, head.hash);
  });
});
