// Lotus's FEVM gas canaries at nv28 (lotus itests/fevm_bundle_canary_test.go at b835fab70, "Last
// tuned: 2026-04-21 against actors v18.0.0-rc1"): the recursion depths at which its contracts run
// out of a block's gas, which Lotus retunes on every actors bundle. Each level of a recursion gets
// 63/64 of the gas left, so a boundary moves with what a level costs: they check the gas model
// end to end (a self-call level ~3 M with its EXTCODESIZE, ~35 000 gas per internal recursion step;
// a DELEGATECALL level ~5 M with its event, its storage write and flush, GetBytecode and the reload).
// The contracts are Lotus's compiled hex (itests/contracts/RecCall.hex, RecursiveDelegeatecall.hex),
// sent as Lotus sends them, with the block gas limit (itests/kit/evm.go InvokeSolidity).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Interface, JsonRpcProvider, Wallet } from 'ethers';
import { BLOCK_GAS_LIMIT } from '../../src/fevm/gas.js';
import { lotusContractCode } from '../helpers/lotus-contracts.js';
import { useDevnet } from '../helpers/use-devnet.js';

const recCall = new Interface(['function exec1(uint256 n, uint256 m, uint256 r)']);
const recursiveDelegatecall = new Interface(['function recursiveCall(uint256 count) returns (uint256)', 'function totalCalls() view returns (uint256)']);
/** The exit code of a contract that reverted (builtin-actors EVM_CONTRACT_REVERTED), the canary's failure. */
const EXIT_REVERTED = 33;

describe("Lotus's nv28 FEVM gas canaries (itests/fevm_bundle_canary_test.go, b835fab70)", () => {
  const node = useDevnet();
  let provider: JsonRpcProvider;
  let lotus: JsonRpcProvider;
  let wallet: Wallet;

  before(() => {
    provider = node.provider;
    lotus = new JsonRpcProvider(`${node.url}/rpc/v1`, undefined, { cacheTimeout: -1, staticNetwork: true });
    wallet = node.wallet;
  });
  after(async () => {
    lotus?.destroy();
  });

  /** Sends `data` with the block gas limit; the receipt's exit code (Filecoin's) and gas used. */
  async function invoke(to: string | null, data: string): Promise<{ exitCode: number; gasUsed: bigint; contract: string | null }> {
    const tx = await wallet.sendTransaction({ to, data, gasLimit: BLOCK_GAS_LIMIT });
    const receipt = (await provider.getTransactionReceipt(tx.hash))!;
    const cid = await lotus.send('Filecoin.EthGetMessageCidByTransactionHash', [tx.hash]);
    const found = await lotus.send('Filecoin.StateSearchMsg', [null, cid, -1, true]);
    return { exitCode: found.Receipt.ExitCode, gasUsed: receipt.gasUsed, contract: receipt.contractAddress };
  }

  test('RecCall exec1(d, d, r): d=0 passes at 254 levels and fails at 261; d=251 passes at 164 and fails at 173', async () => {
    const deployed = await invoke(null, lotusContractCode('RecCall'));
    assert.equal(deployed.exitCode, 0);
    const exec1 = (d: number, r: number) => invoke(deployed.contract!, recCall.encodeFunctionData('exec1', [d, d, r]));
    // actorCallBoundaryD0Pass, D0Fail, D251Pass, D251Fail.
    for (const [d, r, exit] of [[0, 254, 0], [0, 261, EXIT_REVERTED], [251, 164, 0], [251, 173, EXIT_REVERTED]]) {
      assert.equal((await exec1(d, r)).exitCode, exit, `exec1(${d}, ${d}, ${r})`);
    }
  });

  // TestFEVMRecursiveDelegatecallCanary: the contract catches a failed DELEGATECALL, so the message
  // succeeds whatever the count; totalCalls says how many levels kept their write.
  test('RecursiveDelegatecall recursiveCall(n): every level runs up to n = 228; n = 229, 1000 and 10 000 000 stop at 222', async () => {
    // delegatecallHighestSuccess and delegatecallIterationsBeforeFail.
    for (const [n, reached] of [[1, 1], [2, 2], [10, 10], [100, 100], [228, 228], [229, 222], [1000, 222], [10_000_000, 222]]) {
      // A fresh contract for each count, as Lotus deploys one per case.
      const deployed = await invoke(null, lotusContractCode('RecursiveDelegeatecall'));
      assert.equal(deployed.exitCode, 0);
      const called = await invoke(deployed.contract!, recursiveDelegatecall.encodeFunctionData('recursiveCall', [n]));
      assert.equal(called.exitCode, 0, `recursiveCall(${n})`);
      const total = await provider.call({ to: deployed.contract!, data: recursiveDelegatecall.encodeFunctionData('totalCalls') });
      assert.equal(BigInt(total), BigInt(reached), `recursiveCall(${n}) reached`);
    }
  });
});
