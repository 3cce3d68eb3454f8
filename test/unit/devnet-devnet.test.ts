// The Devnet facade: configuration, accounts and balances, nonces, fees, eth_sendTransaction's
// signing, eth_call and gas estimation.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { getCreateAddress, type TransactionRequest } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { DevnetError, ExecutionRevertedError } from '../../src/common/errors.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { unsignedMessage } from '../../src/fevm/eth-tx.js';
import { SigType } from '../../src/fevm/message.js';
import type { Devnet } from '../../src/index.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { CALL, CHAIN_ID, devWallet as wallet, signTx } from '../helpers/dev-wallet.js';
import { withDevnet } from '../helpers/devnet-harness.js';

const ME = hexToBytes(wallet.address);
const OTHER = hexToBytes(DEV_ACCOUNTS[1]!.address);
const FRESH = hexToBytes('0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef');
const FIL = 10n ** 18n;

/** Runtime `mstore(0, 42) return(0, 32)`, and initcode that deploys it. */
const RETURN_42_RUNTIME = '602a60005260206000f3';
const RETURN_42_INITCODE = '0x600a600c600039600a6000f3' + RETURN_42_RUNTIME;
/** Runtime `mstore(0, 0xaa) revert(0, 32)`, and initcode that deploys it. */
const REVERT_AA_INITCODE = '0x600a600c600039600a6000f3' + '60aa60005260206000fd';

const signed = async (tx: TransactionRequest & { nonce: number }): Promise<Uint8Array> => hexToBytes(await signTx(tx, { defaults: CALL }));

/** Initcode that deploys `runtime` (hex, without 0x). */
const deployCode = (runtime: string) => `0x60${(runtime.length / 2).toString(16).padStart(2, '0')}80600b6000396000f3${runtime}`;

async function deploy(devnet: Devnet, initcode: string, nonce: number): Promise<Uint8Array> {
  const hash = await devnet.sendRawTransaction(await signed({ nonce, to: null, data: initcode }));
  const found = devnet.chain.messageByTxHash(hash)!;
  assert.equal(found.message.receipt.exitCode, 0, 'deployment failed');
  // CREATE address of (sender, nonce); the EAM reports it too.
  return hexToBytes(getCreateAddress({ from: wallet.address, nonce }));
}

describe('creation', () => {
  withDevnet('testConfig: 10 funded dev accounts, chain id 31415926, genesis at the fixed time', {}, async (devnet) => {
    assert.equal(devnet.chainId, CHAIN_ID);
    assert.equal(devnet.accounts.length, 10);
    assert.equal(devnet.head.epoch, 0);
    assert.equal(devnet.head.timestamp, 1_700_000_000);
    devnet.accounts.forEach((account, i) => {
      assert.equal(bytesToHex(account.address), DEV_ACCOUNTS[i]!.address.toLowerCase());
      const actor = devnet.actorAt(account.address, 0);
      assert.ok(actor);
      assert.equal(actor.balance, 10_000n * FIL);
      assert.equal(actor.nonce, 0);
    });
    assert.equal(devnet.actorAt(FRESH, 0), undefined);
  });

  withDevnet('accounts, balance and chain id come from the config', { accounts: 2, balance: 5n * FIL, chainId: 314159n }, async (devnet) => {
    assert.equal(devnet.accounts.length, 2);
    assert.equal(devnet.chainId, 314159n);
    for (const account of devnet.accounts) assert.equal(devnet.actorAt(account.address, 0)!.balance, 5n * FIL);
    assert.equal(devnet.actorAt(hexToBytes(DEV_ACCOUNTS[2]!.address), 0), undefined);
  });

  withDevnet('fees: next base fee and the premium eth_maxPriorityFeePerGas suggests', {}, async (devnet) => {
    assert.equal(devnet.nextBaseFee(), 87_500_000n);
    assert.equal(devnet.gasPremium(), 200_000n);
  });
});

describe('nonces and balances', () => {
  withDevnet('pendingNonce counts the pool; actorAt reads any past epoch', { noMining: true }, async (devnet) => {
    assert.equal(devnet.pendingNonce(ME), 0);
    await devnet.sendRawTransaction(await signed({ nonce: 0, to: bytesToHex(FRESH), value: 7n }));
    await devnet.sendRawTransaction(await signed({ nonce: 1, to: bytesToHex(FRESH), value: 7n }));
    assert.equal(devnet.pendingNonce(ME), 2);
    assert.equal(devnet.actorAt(ME, devnet.head.epoch)!.nonce, 0);
    await devnet.mine();
    assert.equal(devnet.pendingNonce(ME), 2);
    assert.equal(devnet.actorAt(ME, 1)!.nonce, 2);
    assert.equal(devnet.actorAt(ME, 0)!.nonce, 0);
    assert.equal(devnet.actorAt(FRESH, 1)!.balance, 14n);
    assert.equal(devnet.actorAt(FRESH, 0), undefined);
    // A sender the node has never seen starts at 0.
    assert.equal(devnet.pendingNonce(FRESH), 0);
  });
});

describe('sendTransaction (eth_sendTransaction)', () => {
  withDevnet('signs with the dev key: estimated gas, the next nonce, fee cap = 2 × next base fee + premium', {}, async (devnet) => {
    const hash = await devnet.sendTransaction({ from: OTHER, to: FRESH, value: 123n });
    const found = devnet.chain.messageByTxHash(hash);
    assert.ok(found);
    const tx = found.message.ethTx!;
    assert.equal(found.message.receipt.exitCode, 0);
    assert.equal(bytesToHex(tx.from), bytesToHex(OTHER));
    assert.equal(tx.type, 2);
    assert.equal(tx.nonce, 0);
    assert.equal(tx.chainId, CHAIN_ID);
    assert.equal(tx.maxPriorityFeePerGas, 200_000n);
    assert.equal(tx.maxFeePerGas, 2n * 87_500_000n + 200_000n);
    assert.ok(tx.gasLimit >= found.message.receipt.gasUsed, 'the estimate was too low');
    assert.equal(devnet.actorAt(FRESH, devnet.head.epoch)!.balance, 123n);
  });

  withDevnet('explicit gas, nonce and fees are used as given', { noMining: true }, async (devnet) => {
    await devnet.sendTransaction({ from: OTHER, to: FRESH, value: 1n, gas: 9_000_000, nonce: 4, maxFeePerGas: 5n * 10n ** 8n, maxPriorityFeePerGas: 1_000n });
    const [pending] = devnet.poolContent().pending;
    assert.equal(pending.ethTx!.gasLimit, 9_000_000);
    assert.equal(pending.ethTx!.nonce, 4);
    assert.equal(pending.ethTx!.maxFeePerGas, 5n * 10n ** 8n);
    assert.equal(pending.ethTx!.maxPriorityFeePerGas, 1_000n);
  });

  withDevnet('an account the node holds no key for is refused', {}, async (devnet) => {
    await assert.rejects(devnet.sendTransaction({ from: FRESH, to: OTHER, value: 1n }), (err: unknown) => {
      assert.ok(err instanceof DevnetError);
      assert.equal(err.code, 1);
      assert.equal(err.message, `the node holds no key for ${bytesToHex(FRESH)} and does not impersonate it`);
      return true;
    });
    assert.equal(devnet.head.epoch, 0);
  });

  withDevnet('concurrent sends from one account get consecutive nonces (manual mining)', { noMining: true }, async (devnet) => {
    const sends = [1n, 2n, 3n].map((value) => devnet.sendTransaction({ from: OTHER, to: FRESH, value, gas: 10_000_000 }));
    const results = await Promise.allSettled(sends);
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    assert.deepEqual(failures, []);
    assert.deepEqual(
      devnet.poolContent().pending.map((p) => p.signed.message.nonce).sort(),
      [0, 1, 2],
    );
  });

  withDevnet('concurrent sends from one account all succeed (instant mining)', {}, async (devnet) => {
    const results = await Promise.allSettled([1n, 2n, 3n].map((value) => devnet.sendTransaction({ from: OTHER, to: FRESH, value })));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    assert.deepEqual(failures, []);
    assert.equal(devnet.actorAt(FRESH, devnet.head.epoch)!.balance, 6n);
    assert.equal(devnet.actorAt(OTHER, devnet.head.epoch)!.nonce, 3);
  });
});

describe('call and estimateGas', () => {
  withDevnet('call returns the contract output, on the state after the given epoch, and changes nothing', {}, async (devnet) => {
    const contract = await deploy(devnet, RETURN_42_INITCODE, 0);
    const epoch = devnet.head.epoch;
    const result = await devnet.call({ from: ME, to: contract, input: new Uint8Array() }, epoch);
    assert.equal(result.exitCode, 0);
    assert.equal(bytesToHex(result.returnData), '0x' + '00'.repeat(31) + '2a');
    // Before the deployment the address holds no code: the call is a plain send and returns nothing.
    const before = await devnet.call({ from: ME, to: contract }, 0);
    assert.equal(bytesToHex(before.returnData), '0x');
    assert.equal(devnet.head.epoch, epoch);
    assert.equal(devnet.actorAt(ME, epoch)!.nonce, 1);
  });

  withDevnet('a deployment call answers empty bytes, not the runtime code (as Lotus does)', {}, async (devnet) => {
    const result = await devnet.call({ from: ME, to: null, input: hexToBytes(RETURN_42_INITCODE) }, 0);
    assert.equal(result.exitCode, 0);
    assert.equal(bytesToHex(result.returnData), '0x');
  });

  withDevnet('a reverting call throws ExecutionRevertedError with the revert bytes', {}, async (devnet) => {
    const contract = await deploy(devnet, REVERT_AA_INITCODE, 0);
    const revertData = '0x' + '00'.repeat(31) + 'aa';
    await assert.rejects(devnet.call({ from: ME, to: contract }, devnet.head.epoch), (err: unknown) => {
      assert.ok(err instanceof ExecutionRevertedError);
      assert.equal(err.code, 3);
      assert.equal(bytesToHex(err.revertData), revertData);
      // fidaudit F4: the FVM's backtrace frame names the contract by its ID address (mainnet's f, as
      // ref-fvm prints it), with builtin-actors v18's abort message: the pc of the REVERT (9).
      const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(contract));
      const backtrace = `message failed with backtrace:\n00: f0${id} (method 3844450837) -- contract reverted at 9 (33)\n (RetCode=33)`;
      assert.equal(err.message, `message execution failed (exit=[33], revert reason=[${revertData}], vm error=[${backtrace}])`);
      return true;
    });
    await assert.rejects(devnet.estimateGas({ from: ME, to: contract }), ExecutionRevertedError);
  });

  // audit24 H2: a deployment whose constructor fails shows the FVM's backtrace as Lotus prints it: the
  // EAM's CreateExternal, the init actor's Exec4 (`constructor failed`), then the new actor's Constructor
  // with builtin-actors' reason (system.rs set_bytecode, lib.rs `constructor reverted`), each with its code.
  withDevnet('a deployment the EVM actor refuses, or whose constructor reverts, names the reason in the backtrace', {}, async (devnet) => {
    const newId = devnet.stateAt(devnet.head.epoch).nextId();
    const backtrace = (code: number, reason: string) =>
      `vm error=[message failed with backtrace:\n00: f010 (method 4) -- send aborted with code ${code} (${code})\n` +
      `01: f01 (method 3) -- constructor failed: send aborted with code ${code} (${code})\n02: f0${newId} (method 1) -- ${reason} (${code})\n (RetCode=${code})])`;
    const refused: [string, number, string][] = [
      ['0x6161a86000f3', 16, 'EVM byte code length (25000) is exceeding the maximum allowed of 24576'], // RETURN(0, 25000)
      ['0x60ef60005360016000f3', 16, 'EIP-3541: Contract code starting with the 0xEF byte is disallowed.'], // MSTORE8(0, 0xef), RETURN(0, 1)
      ['0x60aa60005260206000fd', 33, 'constructor reverted'], // MSTORE(0, 0xaa), REVERT(0, 32)
    ];
    for (const [initcode, code, reason] of refused) {
      await assert.rejects(devnet.estimateGas({ from: ME, input: hexToBytes(initcode) }), (err: unknown) => {
        assert.ok(err instanceof ExecutionRevertedError);
        assert.ok(err.message.endsWith(backtrace(code, reason)), err.message);
        return true;
      });
    }
  });

  // Over a dead contract the EAM sends Resurrect to it (eam/src/lib.rs create_actor), which runs the
  // constructor there: the backtrace is CreateExternal's send, then that actor's Resurrect (2) with the reason.
  withDevnet('a deployment onto a self-destructed contract whose constructor reverts: the backtrace names its Resurrect', {}, async (devnet) => {
    // A contract (CALLER SELFDESTRUCT) at the address of ME's deployment at nonce 1, killed by ME's call at nonce 0.
    const address = hexToBytes(getCreateAddress({ from: wallet.address, nonce: 1 }));
    await devnet.cheats.setCode(address, hexToBytes('0x33ff'));
    await devnet.sendRawTransaction(await signed({ nonce: 0, to: bytesToHex(address), data: '0x' }));
    const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(address))!;
    assert.equal(devnet.stateAt(devnet.head.epoch).getActor(id)!.evm!.dead, true);
    await assert.rejects(devnet.estimateGas({ from: ME, input: hexToBytes('0x60aa60005260206000fd') }), (err: unknown) => {
      assert.ok(err instanceof ExecutionRevertedError);
      assert.ok(
        err.message.endsWith(`vm error=[message failed with backtrace:\n00: f010 (method 4) -- send aborted with code 33 (33)\n01: f0${id} (method 2) -- constructor reverted (33)\n (RetCode=33)])`),
        err.message,
      );
      return true;
    });
  });

  // fidaudit F4: the EVM interpreter's aborts name the failing instruction's pc (builtin-actors v18
  // actors/evm/src/interpreter/execution.rs ABORT(pc=…), control.rs, the undefined-opcode entry).
  withDevnet("INVALID and an undefined opcode fail with builtin-actors' ABORT(pc=…) message", {}, async (devnet) => {
    const invalid = await deploy(devnet, deployCode('6000fe'), 0);
    const undefinedOp = await deploy(devnet, deployCode('60000c'), 1);
    for (const [contract, exit, what] of [[invalid, 34, 'invalid instruction'], [undefinedOp, 35, 'undefined instruction']] as const) {
      const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(contract));
      await assert.rejects(devnet.call({ from: ME, to: contract }, devnet.head.epoch), (err: unknown) => {
        assert.ok(err instanceof ExecutionRevertedError);
        assert.ok(err.message.endsWith(`vm error=[message failed with backtrace:\n00: f0${id} (method 3844450837) -- ABORT(pc=2): ${what} (${exit})\n (RetCode=${exit})])`), err.message);
        return true;
      });
    }
  });

  withDevnet('estimateGas gives a limit with which the transaction succeeds, also for a sender with no actor', {}, async (devnet) => {
    const transfer = await devnet.estimateGas({ from: ME, to: FRESH, value: 1n });
    assert.ok(Number.isInteger(transfer) && transfer > 0 && transfer <= 10_000_000_000);
    const hash = await devnet.sendRawTransaction(await signed({ nonce: 0, to: bytesToHex(FRESH), value: 1n, gasLimit: transfer }));
    const receipt = devnet.chain.messageByTxHash(hash)!.message.receipt;
    assert.equal(receipt.exitCode, 0);
    assert.ok(receipt.gasUsed <= transfer);
    // Lotus v1.36.2 estimates for senders that do not exist yet.
    const fromNobody = await devnet.estimateGas({ from: hexToBytes('0x' + '12'.repeat(20)), to: FRESH });
    assert.ok(fromNobody > 0);
    const deployment = await devnet.estimateGas({ from: ME, to: null, input: hexToBytes(RETURN_42_INITCODE) });
    const deployed = await devnet.sendRawTransaction(await signed({ nonce: 1, to: null, data: RETURN_42_INITCODE, gasLimit: deployment }));
    assert.equal(devnet.chain.messageByTxHash(deployed)!.message.receipt.exitCode, 0);
  });

  withDevnet("estimates size the message with the sender's nonce, as Lotus's callInternal does, not the request's", {}, async (devnet) => {
    const estimateAt = async (nonce: number) => {
      await devnet.cheats.setNonce(ME, nonce);
      return devnet.estimateGas({ from: ME, to: OTHER, value: 1n });
    };
    // A nonce of 24 takes one CBOR byte more than 23: 1 300 more inclusion, times 1.25.
    assert.equal((await estimateAt(24)) - (await estimateAt(23)), 1_625);
    assert.equal(await estimateAt(0), await estimateAt(23));
  });

  withDevnet("estimates run after the sender's pending messages (Lotus gasEstimateCallWithGasInternal)", {}, async (devnet) => {
    // Empty calldata stores 1 in slot 0; any other reverts unless slot 0 is set.
    const gate = await deploy(devnet, deployCode('36600a576001600055005b6000546016576000' + '6000fd5b00'), 0);
    await devnet.cheats.setMiningMode({ type: 'manual' });
    const check = { from: ME, to: gate, input: new Uint8Array([1]) };
    await assert.rejects(devnet.estimateGas(check), ExecutionRevertedError);
    await devnet.sendRawTransaction(await signed({ nonce: 1, to: bytesToHex(gate) }));
    assert.ok((await devnet.estimateGas(check)) > 0);
    // Only the sender's own (Lotus's mpool.PendingFor(from)): another account's estimate runs without it (audit17 H12).
    await assert.rejects(devnet.estimateGas({ ...check, from: OTHER }), ExecutionRevertedError);
    // Lotus applies those before the first with the message's own nonce: a message at nonce 1 runs without it.
    const atNonce = (nonce: number) =>
      unsignedMessage(ME, gate, nonce, 0n, check.input, 0, 0n, 0n);
    assert.ok((await devnet.estimateGasLimit(atNonce(2), SigType.Delegated)) > 0);
    await assert.rejects(devnet.estimateGasLimit(atNonce(1), SigType.Delegated), ExecutionRevertedError);
  });

  withDevnet('an estimate queued behind the tipset that mines a pending message sees it mined (head and pool read together)', {}, async (devnet) => {
    const gate = await deploy(devnet, deployCode('36600a576001600055005b6000546016576000' + '6000fd5b00'), 0);
    await devnet.cheats.setMiningMode({ type: 'manual' });
    const check = { from: ME, to: gate, input: new Uint8Array([1]) };
    await devnet.sendRawTransaction(await signed({ nonce: 1, to: bytesToHex(gate) }));
    // Asked together: the tipset is queued first, the estimate's state and pool are read after it.
    const [, estimate] = await Promise.all([devnet.mine(), devnet.estimateGas(check)]);
    assert.ok(estimate > 0);
  });

  withDevnet('a callee out of gas under a caller that reverts: the limit searched for as Lotus does (gasSearch), not an error', {}, async (devnet) => {
    // The callee asks itself for its code 40 times (EXTCODESIZE: a GetBytecode send each, ~1.2 M).
    const burner = '6100285b8015601357303b50600190036003565b00';
    const callee = await deploy(devnet, deployCode(burner), 0);
    // CALL(GAS / 2, callee); REVERT if it failed.
    const caller = await deploy(devnet, deployCode(`${'6000'.repeat(5)}73${bytesToHex(callee).slice(2)}60025a04f1602c5760006000fd5b00`), 1);
    const estimate = await devnet.estimateGas({ from: ME, to: caller });
    const send = async (nonce: number, gasLimit: number) => {
      const hash = await devnet.sendRawTransaction(await signed({ nonce, to: bytesToHex(caller), gasLimit }));
      return devnet.chain.messageByTxHash(hash)!.message.receipt;
    };
    assert.equal((await send(2, estimate)).exitCode, 0);
    // The limit found was narrowed to within 1 % before the 1.25 margin: 3 % less fails.
    assert.equal((await send(3, Math.floor((estimate / 1.25) * 0.97))).exitCode, 33);
  });
});
