// The executor on a genesis state: value transfers, deployments through the EAM, reverts, sender
// checks and eth_call-style calls. Messages are real: transactions signed with ethers 6, decoded and
// converted as eth_sendRawTransaction does. Expected fee splits follow Lotus ComputeGasOutputs (written
// out below), addresses come from ethers' getCreateAddress, FVM rules from ref-fvm executor/default.rs.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2b } from '@noble/hashes/blake2.js';
import { Wallet, getCreate2Address, getCreateAddress, keccak256, type TransactionRequest } from 'ethers';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { deriveAccounts, type DevAccount } from '../../src/devnet/accounts.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { MULTICALL3_ADDRESS } from '../../src/devnet/multicall3.js';
import { BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, REWARD_ACTOR_ID } from '../../src/fevm/actor.js';
import { devnetCodeTable } from '../../src/fevm/code-table.js';
import { decodeEthTransaction, toFilecoinMessage } from '../../src/fevm/eth-tx.js';
import { Executor } from '../../src/fevm/executor.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { onChainMessage as inclusionGas } from '../../src/fevm/price-list.js';
import { chainSize, METHOD_INVOKE_CONTRACT, unsentMessage, type Message, type SignedMessage } from '../../src/fevm/message.js';
import type { StateOverlay, StateTree } from '../../src/fevm/state-tree.js';
import type { ExecutionContext } from '../../src/fevm/types.js';

const CHAIN_ID = 31415926n;
const MNEMONIC = 'test test test test test test test test test test test junk';
const GENESIS_BALANCE = 10_000n * 10n ** 18n;
const BASE_FEE = 100_000_000n;
const ctx: ExecutionContext = { epoch: 1, timestamp: 1_700_000_000, chainId: CHAIN_ID, baseFee: BASE_FEE };

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
const f410 = (eth: string | Uint8Array) => FilAddress.fromDelegated(EAM_NAMESPACE, typeof eth === 'string' ? hex(eth) : eth);

// Hand-assembled EVM code.
// Runtime: with calldata, SSTORE(1, calldataload(0)) and stop; without, SSTORE(1, 0x99) and REVERT(0xdeadbeef).
//   00 CALLDATASIZE  01 ISZERO  02 PUSH1 0x0c  04 JUMPI  05 PUSH1 0  07 CALLDATALOAD  08 PUSH1 1  0a SSTORE  0b STOP
//   0c JUMPDEST  0d PUSH1 0x99  0f PUSH1 1  11 SSTORE  12 PUSH4 deadbeef  17 PUSH1 0  19 MSTORE
//   1a PUSH1 4  1c PUSH1 28  1e REVERT
const RUNTIME = '0x3615600c57600035600155005b609960015563deadbeef6000526004601cfd';
// Initcode: SSTORE(0, 42); CODECOPY(0, 0x11, 31); RETURN(0, 31) — the runtime follows the 17-byte prologue.
const INITCODE = '0x602a600055601f6011600039601f6000f3' + RUNTIME.slice(2);
// Initcode that reverts with 0xdeadbeef: MSTORE(0, 0xdeadbeef); REVERT(28, 4).
const REVERTING_INITCODE = '0x63deadbeef6000526004601cfd';

/** Lotus ComputeGasOutputs, restated here (chain/vm/burn.go). */
function lotusGasOutputs(gasUsed: bigint, gasLimit: bigint, baseFee: bigint, feeCap: bigint, premium: bigint) {
  const baseFeeToPay = baseFee > feeCap ? feeCap : baseFee;
  const baseFeeBurn = baseFeeToPay * gasUsed;
  const tip = (baseFeeToPay + premium > feeCap ? feeCap - baseFeeToPay : premium) * gasLimit;
  let burned: bigint;
  if (gasUsed === 0n) burned = gasLimit;
  else {
    let over = gasLimit - (11n * gasUsed) / 10n;
    if (over < 0n) burned = 0n;
    else {
      if (over > gasUsed) over = gasUsed;
      burned = ((gasLimit - gasUsed) * over) / gasUsed;
    }
  }
  const overBurn = baseFeeToPay * burned;
  return { burn: baseFeeBurn + overBurn, tip, refund: gasLimit * feeCap - baseFeeBurn - tip - overBurn };
}

let accounts: DevAccount[];
let executor: Executor;
let wallets: Wallet[];

before(async () => {
  accounts = deriveAccounts(MNEMONIC, 2);
  wallets = accounts.map((a) => new Wallet(a.privateKey));
  executor = await Executor.create(CHAIN_ID);
});

function genesis(): { tree: StateTree; state: StateOverlay } {
  const tree = createGenesisState(accounts, GENESIS_BALANCE);
  return { tree, state: tree.stage() };
}

const FEES = { maxFeePerGas: 200_000_000n, maxPriorityFeePerGas: 100_000n };

async function signed(wallet: Wallet, tx: TransactionRequest): Promise<SignedMessage> {
  const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, ...FEES, ...tx });
  return toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
}

async function apply(state: StateOverlay, sm: SignedMessage) {
  return executor.applyMessage(state, sm.message, chainSize(sm), ctx);
}

const balanceOf = (state: StateOverlay, id: number) => state.getActor(id)?.balance ?? 0n;
const idOf = (state: StateOverlay, address: FilAddress) => state.lookupId(address);

function totalBalance(state: StateOverlay): bigint {
  let total = 0n;
  for (let id = 0; id < state.nextId(); id++) total += balanceOf(state, id);
  return total;
}

describe('genesis', () => {
  test('dev accounts are funded EthAccounts from ID 100', () => {
    const { state } = genesis();
    assert.equal(toHex(accounts[0].address), '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266');
    const id = idOf(state, accounts[0].filAddress);
    assert.equal(id, 100);
    assert.equal(state.getActor(100)?.kind, 'ethaccount');
    assert.equal(state.getActor(100)?.balance, GENESIS_BALANCE);
    assert.equal(state.getActor(BURNT_FUNDS_ACTOR_ID)?.balance, 0n);
    // Two dev accounts, then Multicall3, the Safe singleton factory's signer and the factory, FilForwarder, the null address's EthAccount.
    assert.equal(state.nextId(), 107);
  });
});

describe('value transfer', () => {
  test('to a fresh f410: a Placeholder holds the value; fees go to f099 and f02; balances conserve', async () => {
    const { state } = genesis();
    const senderId = idOf(state, accounts[0].filAddress)!;
    const recipient = '0x' + '5a'.repeat(20);
    const supply = totalBalance(state);
    const gasLimit = 10_000_000n;
    const value = 10n ** 18n;
    const sm = await signed(wallets[0], { nonce: 0, to: recipient, value, gasLimit });

    const receipt = await apply(state, sm);
    assert.equal(receipt.exitCode, ExitCode.Ok);
    assert.equal(receipt.returnData.length, 0);
    assert.ok(receipt.gasUsed >= inclusionGas(chainSize(sm)), `gasUsed ${receipt.gasUsed}`);
    assert.ok(receipt.gasUsed < Number(gasLimit));

    const placeholderId = idOf(state, f410(recipient));
    // The first ID after genesis (two dev accounts, Multicall3, the Safe singleton factory and its signer, FilForwarder, the null address).
    assert.equal(placeholderId, 107);
    const placeholder = state.getActor(placeholderId!)!;
    assert.equal(placeholder.kind, 'placeholder');
    assert.equal(placeholder.balance, value);
    assert.equal(placeholder.nonce, 0);
    assert.ok(placeholder.delegated?.equals(f410(recipient)));

    const fees = lotusGasOutputs(BigInt(receipt.gasUsed), gasLimit, BASE_FEE, FEES.maxFeePerGas, FEES.maxPriorityFeePerGas);
    assert.equal(balanceOf(state, BURNT_FUNDS_ACTOR_ID), fees.burn);
    assert.equal(balanceOf(state, REWARD_ACTOR_ID), fees.tip);
    assert.equal(balanceOf(state, senderId), GENESIS_BALANCE - value - fees.burn - fees.tip);
    assert.equal(fees.burn + fees.tip + fees.refund, gasLimit * FEES.maxFeePerGas);
    assert.equal(totalBalance(state), supply);

    const sender = state.getActor(senderId)!;
    assert.equal(sender.nonce, 1);
    assert.equal(sender.kind, 'ethaccount');
  });

  test('a Placeholder that sends becomes an EthAccount', async () => {
    const { state } = genesis();
    const fresh = new Wallet('0x' + '77'.repeat(32));
    await apply(state, await signed(wallets[0], { nonce: 0, to: fresh.address, value: 10n ** 18n, gasLimit: 10_000_000n }));
    const id = idOf(state, f410(fresh.address))!;
    assert.equal(state.getActor(id)?.kind, 'placeholder');

    const receipt = await apply(state, await signed(fresh, { nonce: 0, to: toHex(accounts[1].address), value: 1n, gasLimit: 10_000_000n }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    const actor = state.getActor(id)!;
    assert.equal(actor.kind, 'ethaccount');
    assert.equal(actor.nonce, 1);
    assert.equal(balanceOf(state, idOf(state, accounts[1].filAddress)!), GENESIS_BALANCE + 1n);
  });

  test('value above what is left after gas: SysErrInsufficientFunds (6), nothing moved, gas still charged', async () => {
    const { state } = genesis();
    const poor = new Wallet('0x' + '78'.repeat(32));
    const funding = 10n ** 16n;
    await apply(state, await signed(wallets[0], { nonce: 0, to: poor.address, value: funding, gasLimit: 10_000_000n }));
    const poorId = idOf(state, f410(poor.address))!;
    const burntBefore = balanceOf(state, BURNT_FUNDS_ACTOR_ID);
    const rewardBefore = balanceOf(state, REWARD_ACTOR_ID);
    const gasLimit = 10_000_000n; // gas cost 2e15 <= 1e16, but 2e15 + 1e16 > 1e16
    const target = '0x' + '5b'.repeat(20);
    const receipt = await apply(state, await signed(poor, { nonce: 0, to: target, value: funding, gasLimit }));
    assert.equal(receipt.exitCode, ExitCode.SysErrInsufficientFunds);
    assert.equal(idOf(state, f410(target)), undefined);
    const fees = lotusGasOutputs(BigInt(receipt.gasUsed), gasLimit, BASE_FEE, FEES.maxFeePerGas, FEES.maxPriorityFeePerGas);
    assert.equal(balanceOf(state, poorId), funding - fees.burn - fees.tip);
    assert.equal(balanceOf(state, BURNT_FUNDS_ACTOR_ID), burntBefore + fees.burn);
    assert.equal(balanceOf(state, REWARD_ACTOR_ID), rewardBefore + fees.tip);
    assert.equal(state.getActor(poorId)!.nonce, 1);
  });

  test('a send to an unknown f2 cannot create a receiver: SysErrInvalidReceiver (5)', async () => {
    const { state } = genesis();
    const message: Message = {
      version: 0,
      to: FilAddress.parse('t24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i'),
      from: accounts[0].filAddress,
      nonce: 0,
      value: 1n,
      gasLimit: 10_000_000,
      gasFeeCap: 200_000_000n,
      gasPremium: 100_000n,
      method: 0,
      params: new Uint8Array(),
    };
    const nextId = state.nextId();
    const receipt = await executor.applyMessage(state, message, 200, ctx);
    assert.equal(receipt.exitCode, ExitCode.SysErrInvalidReceiver);
    assert.equal(state.nextId(), nextId);
    assert.equal(state.getActor(100)!.nonce, 1);
  });

  test('the state can be committed afterwards (no checkpoint left open)', async () => {
    const { tree, state } = genesis();
    await apply(state, await signed(wallets[0], { nonce: 0, to: '0x' + '5a'.repeat(20), value: 1n, gasLimit: 10_000_000n }));
    tree.commit(state, 1);
    assert.equal(tree.at(1).getActor(100)?.nonce, 1);
    assert.equal(tree.at(0).getActor(100)?.nonce, 0);
  });
});

describe('deployment through EAM CreateExternal', () => {
  test('creates an EVM actor at keccak(rlp([sender, nonce]))[12:] with the runtime code', async () => {
    const { state } = genesis();
    const supply = totalBalance(state);
    const sm = await signed(wallets[0], { nonce: 0, to: null, data: INITCODE, value: 5n, gasLimit: 100_000_000n });
    const receipt = await apply(state, sm);
    assert.equal(receipt.exitCode, ExitCode.Ok);

    const expected = getCreateAddress({ from: wallets[0].address, nonce: 0 }).toLowerCase();
    assert.equal(expected, '0x5fbdb2315678afecb367f032d93f642f64180aa3');
    const id = idOf(state, f410(expected))!;
    assert.equal(id, 107);
    const contract = state.getActor(id)!;
    assert.equal(contract.kind, 'evm');
    assert.equal(toHex(contract.evm!.bytecode), RUNTIME);
    assert.equal(contract.evm!.nonce, 1);
    assert.equal(contract.balance, 5n);
    assert.equal(state.getStorage(id, contract.evm!.storageGeneration, 0n), 42n);

    // Return: CBOR [actor id, robust (f2) address bytes, eth address].
    const [retId, robust, eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(receipt.returnData);
    assert.equal(retId, id);
    assert.equal(toHex(eth), expected);
    const robustAddress = FilAddress.fromBytes(robust);
    assert.equal(robustAddress.protocol, Protocol.Actor);
    assert.equal(idOf(state, robustAddress), id);
    assert.ok(contract.robust?.equals(robustAddress));

    assert.equal(state.getActor(100)!.nonce, 1);
    assert.equal(totalBalance(state), supply);
  });

  test('the next deployment goes to the CREATE address of nonce 1', async () => {
    const { state } = genesis();
    await apply(state, await signed(wallets[0], { nonce: 0, to: null, data: INITCODE, gasLimit: 100_000_000n }));
    const receipt = await apply(state, await signed(wallets[0], { nonce: 1, to: null, data: INITCODE, gasLimit: 100_000_000n }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    const expected = getCreateAddress({ from: wallets[0].address, nonce: 1 }).toLowerCase();
    const [, , eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(receipt.returnData);
    assert.equal(toHex(eth), expected);
    assert.equal(state.getActor(idOf(state, f410(expected))!)?.kind, 'evm');
  });

  // ref-fvm call_manager next_actor_address: Address::new_actor(cbor(origin) ‖ u64be(nonce) ‖
  // u64be(actors created so far in the message)); the origin is the message's from (the f410), and its
  // CBOR form is a byte string (0x56 ‖ 22 bytes).
  test('the robust address is the FVM f2 of (origin, nonce, 0)', async () => {
    const { state } = genesis();
    const receipt = await apply(state, await signed(wallets[0], { nonce: 0, to: null, data: INITCODE, gasLimit: 100_000_000n }));
    const [, robust] = decodeCbor<[number, Uint8Array, Uint8Array]>(receipt.returnData);
    const origin = accounts[0].filAddress.bytes;
    const seed = new Uint8Array([0x40 + 0x16, ...origin, ...new Uint8Array(8), ...new Uint8Array(8)]);
    assert.equal(origin.length, 22);
    assert.equal(toHex(robust), toHex(new Uint8Array([Protocol.Actor, ...blake2b(seed, { dkLen: 20 })])));
  });

  test('initcode that reverts: exit 33 with the revert data, no actor, fees charged, nonce bumped', async () => {
    const { state } = genesis();
    const supply = totalBalance(state);
    const gasLimit = 100_000_000n;
    const receipt = await apply(state, await signed(wallets[0], { nonce: 0, to: null, data: REVERTING_INITCODE, value: 7n, gasLimit }));
    assert.equal(receipt.exitCode, ExitCode.EvmReverted);
    assert.equal(toHex(receipt.returnData), '0xdeadbeef');
    const address = getCreateAddress({ from: wallets[0].address, nonce: 0 });
    assert.equal(idOf(state, f410(address)), undefined);
    const fees = lotusGasOutputs(BigInt(receipt.gasUsed), gasLimit, BASE_FEE, FEES.maxFeePerGas, FEES.maxPriorityFeePerGas);
    assert.equal(balanceOf(state, 100), GENESIS_BALANCE - fees.burn - fees.tip);
    assert.equal(state.getActor(100)!.nonce, 1);
    assert.equal(totalBalance(state), supply);
  });
});

describe("the EAM's other methods (builtin-actors v18 actors/eam/src/lib.rs)", () => {
  const toEam = (from: FilAddress, method: number, params?: unknown): Message => unsentMessage(from, FilAddress.fromId(EAM_ACTOR_ID), method, params === undefined ? new Uint8Array() : encodeCbor(params));

  test('Create (2) and Create2 (3) from an Ethereum account: 18, naming its code (validate_immediate_caller_type(EVM)), after their params decode', async () => {
    const { state } = genesis();
    const ethAccountCode = devnetCodeTable().codeOf('ethaccount').toString();
    for (const [method, params] of [[2, [new Uint8Array(), 0]], [3, [new Uint8Array(), new Uint8Array(32)]]] as const) {
      const result = await executor.call(state, toEam(accounts[0].filAddress, method, params), ctx);
      assert.deepEqual([result.exitCode, result.error], [ExitCode.ErrForbidden, `caller cid type ${ethAccountCode} not one of supported`], `method ${method}`);
    }
    for (const [method, params] of [[2, [new Uint8Array(), -1]], [3, [new Uint8Array(), new Uint8Array(31)]], [2, [new Uint8Array()]]] as const) {
      assert.equal((await executor.call(state, toEam(accounts[0].filAddress, method, params), ctx)).exitCode, ExitCode.ErrSerialization, `method ${method} ${JSON.stringify(params)}`);
    }
  });

  // A StateCall is applied as an implicit message (lotus chain/stmgr/call.go callInternal), so a contract
  // can be its sender: the EAM's Create and Create2 pass validate_immediate_caller_type(EVM) and deploy
  // (builtin-actors actors/eam/src/lib.rs create, create2, create_actor). Nothing is kept.
  test('from a contract (a call made from its address), Create deploys at CREATE(contract, nonce) and Create2 at CREATE2(contract, salt, initcode): [id, robust, eth]; bad params 21', async () => {
    const { state } = genesis();
    const multicall = FilAddress.fromDelegated(EAM_NAMESPACE, MULTICALL3_ADDRESS);
    const initcode = hex(INITCODE);
    const salt = new Uint8Array(32).fill(9);
    const expected = [getCreateAddress({ from: toHex(MULTICALL3_ADDRESS), nonce: 5 }), getCreate2Address(toHex(MULTICALL3_ADDRESS), salt, keccak256(initcode))];
    for (const [i, [method, params]] of ([[2, [initcode, 5]], [3, [initcode, salt]]] as const).entries()) {
      const result = await executor.call(state, toEam(multicall, method, params), ctx);
      assert.equal(result.exitCode, ExitCode.Ok, `method ${method}: ${result.error}`);
      const [id, robust, eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(result.returnData);
      assert.equal(toHex(eth), expected[i].toLowerCase(), `method ${method}`);
      assert.equal(FilAddress.fromBytes(robust).protocol, Protocol.Actor);
      assert.ok(id > 0);
      // A call keeps nothing.
      assert.equal(idOf(state, f410(expected[i])), undefined);
    }
    for (const [method, params] of [[2, [initcode, -1]], [3, [initcode, new Uint8Array(31)]], [2, [initcode]]] as const) {
      assert.equal((await executor.call(state, toEam(multicall, method, params), ctx)).exitCode, ExitCode.ErrSerialization, `method ${method} ${params.length}`);
    }
  });

  test('the Constructor (1) is for t00 alone: 18; a method the EAM lacks: 22', async () => {
    const { state } = genesis();
    const constructed = await executor.call(state, toEam(accounts[0].filAddress, 1), ctx);
    assert.deepEqual([constructed.exitCode, constructed.error], [ExitCode.ErrForbidden, 'caller f0100 is not one of supported']);
    const unknown = await executor.call(state, toEam(accounts[0].filAddress, 5, new Uint8Array()), ctx);
    assert.deepEqual([unknown.exitCode, unknown.error], [ExitCode.ErrUnhandledMessage, 'invalid method: 5']);
  });
});

describe('calls to a contract', () => {
  async function deployed() {
    const { tree, state } = genesis();
    const receipt = await apply(state, await signed(wallets[0], { nonce: 0, to: null, data: INITCODE, gasLimit: 100_000_000n }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    const address = getCreateAddress({ from: wallets[0].address, nonce: 0 });
    const id = idOf(state, f410(address))!;
    return { tree, state, address, id };
  }

  test('a successful call writes storage', async () => {
    const { state, address, id } = await deployed();
    const data = '0x' + '00'.repeat(31) + '07';
    const receipt = await apply(state, await signed(wallets[0], { nonce: 1, to: address, data, gasLimit: 100_000_000n }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    assert.equal(state.getStorage(id, 0, 1n), 7n);
    assert.equal(state.getStorage(id, 0, 0n), 42n);
  });

  test('a reverting call: exit 33, revert data, storage and value untouched, gas charged, nonce bumped', async () => {
    const { state, address, id } = await deployed();
    const senderBefore = balanceOf(state, 100);
    const burntBefore = balanceOf(state, BURNT_FUNDS_ACTOR_ID);
    const rewardBefore = balanceOf(state, REWARD_ACTOR_ID);
    const supply = totalBalance(state);
    const gasLimit = 50_000_000n;

    const receipt = await apply(state, await signed(wallets[0], { nonce: 1, to: address, value: 1000n, gasLimit }));
    assert.equal(receipt.exitCode, ExitCode.EvmReverted);
    // The receipt keeps the revert data as the EVM actor returns it: a CBOR byte string.
    assert.equal(toHex(receipt.returnData), '0x44deadbeef');
    assert.deepEqual(receipt.events, []);
    assert.equal(state.getStorage(id, 0, 1n), 0n);
    assert.equal(state.getStorage(id, 0, 0n), 42n);
    assert.equal(balanceOf(state, id), 0n);

    const fees = lotusGasOutputs(BigInt(receipt.gasUsed), gasLimit, BASE_FEE, FEES.maxFeePerGas, FEES.maxPriorityFeePerGas);
    assert.ok(fees.burn > 0n);
    assert.equal(balanceOf(state, 100), senderBefore - fees.burn - fees.tip);
    assert.equal(balanceOf(state, BURNT_FUNDS_ACTOR_ID), burntBefore + fees.burn);
    assert.equal(balanceOf(state, REWARD_ACTOR_ID), rewardBefore + fees.tip);
    assert.equal(state.getActor(100)!.nonce, 2);
    assert.equal(totalBalance(state), supply);
  });
});

describe('sender checks', () => {
  function snapshot(state: StateOverlay) {
    return [100, BURNT_FUNDS_ACTOR_ID, REWARD_ACTOR_ID].map((id) => ({ ...state.getActor(id)! }));
  }

  test('wrong nonce: SysErrSenderStateInvalid (2), nothing charged', async () => {
    const { state } = genesis();
    const before = snapshot(state);
    const nextId = state.nextId();
    for (const nonce of [1, 5]) {
      const receipt = await apply(state, await signed(wallets[0], { nonce, to: '0x' + '5a'.repeat(20), value: 1n, gasLimit: 10_000_000n }));
      assert.equal(receipt.exitCode, ExitCode.SysErrSenderStateInvalid);
      assert.equal(receipt.gasUsed, 0);
    }
    assert.deepEqual(snapshot(state), before);
    assert.equal(state.nextId(), nextId);
  });

  test('balance below gasLimit × feeCap: SysErrSenderStateInvalid (2), nothing charged', async () => {
    const { state } = genesis();
    const before = snapshot(state);
    const sm = await signed(wallets[0], { nonce: 0, to: '0x' + '5a'.repeat(20), gasLimit: 10_000_000_000n, maxFeePerGas: 10n ** 13n });
    const receipt = await apply(state, sm);
    assert.equal(receipt.exitCode, ExitCode.SysErrSenderStateInvalid);
    assert.deepEqual(snapshot(state), before);
  });

  test('an unknown sender: SysErrSenderInvalid (1), nothing created', async () => {
    const { state } = genesis();
    const stranger = new Wallet('0x' + '99'.repeat(32));
    const nextId = state.nextId();
    const receipt = await apply(state, await signed(stranger, { nonce: 0, to: '0x' + '5a'.repeat(20), gasLimit: 10_000_000n }));
    assert.equal(receipt.exitCode, ExitCode.SysErrSenderInvalid);
    assert.equal(state.nextId(), nextId);
  });

  test('an EVM actor cannot send: SysErrSenderInvalid (1)', async () => {
    const { state } = genesis();
    await apply(state, await signed(wallets[0], { nonce: 0, to: null, data: INITCODE, gasLimit: 100_000_000n }));
    const contract = f410(getCreateAddress({ from: wallets[0].address, nonce: 0 }));
    const message: Message = {
      version: 0,
      to: accounts[1].filAddress,
      from: contract,
      nonce: 0,
      value: 0n,
      gasLimit: 10_000_000,
      gasFeeCap: 1n,
      gasPremium: 1n,
      method: 0,
      params: new Uint8Array(),
    };
    const receipt = await executor.applyMessage(state, message, 200, ctx);
    assert.equal(receipt.exitCode, ExitCode.SysErrSenderInvalid);
  });

  test('gasLimit below the inclusion cost: SysErrOutOfGas (7)', async () => {
    const { state } = genesis();
    const sm = await signed(wallets[0], { nonce: 0, to: '0x' + '5a'.repeat(20), value: 1n, gasLimit: 50_000n });
    assert.ok(50_000 < inclusionGas(chainSize(sm)));
    const receipt = await apply(state, sm);
    assert.equal(receipt.exitCode, ExitCode.SysErrOutOfGas);
    assert.equal(idOf(state, f410('0x' + '5a'.repeat(20))), undefined);
  });

  // ref-fvm preflight_message: `if inclusion_total > msg.gas_limit` returns ApplyRet::prevalidation_fail
  // (SYS_OUT_OF_GAS, gas used 0) before the sender is charged or its sequence bumped; Lotus's legacy VM
  // does the same (GasUsed 0, only a miner penalty).
  test('gasLimit below the inclusion cost charges nothing and leaves the nonce (FVM prevalidation)', async () => {
    const { state } = genesis();
    const before = snapshot(state);
    const receipt = await apply(state, await signed(wallets[0], { nonce: 0, to: '0x' + '5a'.repeat(20), value: 1n, gasLimit: 50_000n }));
    assert.equal(receipt.exitCode, ExitCode.SysErrOutOfGas);
    assert.equal(receipt.gasUsed, 0);
    assert.deepEqual(snapshot(state), before);
  });
});

describe('call()', () => {
  const callMessage = (from: FilAddress, to: FilAddress, params: Uint8Array, value = 0n): Message => unsentMessage(from, to, METHOD_INVOKE_CONTRACT, params, value);

  async function deployedState() {
    const { tree, state } = genesis();
    await apply(state, await signed(wallets[0], { nonce: 0, to: null, data: INITCODE, gasLimit: 100_000_000n }));
    const address = f410(getCreateAddress({ from: wallets[0].address, nonce: 0 }));
    return { tree, state, address, id: idOf(state, address)! };
  }

  test('runs the code and leaves the state untouched', async () => {
    const { tree, state, address, id } = await deployedState();
    const nonce = state.getActor(100)!.nonce;
    const balance = balanceOf(state, 100);
    const nextId = state.nextId();
    // Params: CBOR byte string of a 32-byte word 9.
    const params = new Uint8Array([0x58, 0x20, ...new Uint8Array(31), 9]);
    const result = await executor.call(state, callMessage(accounts[0].filAddress, address, params), ctx);
    assert.equal(result.exitCode, ExitCode.Ok);
    assert.equal(state.getStorage(id, 0, 1n), 0n);
    assert.equal(state.getActor(100)!.nonce, nonce);
    assert.equal(balanceOf(state, 100), balance);
    assert.equal(state.nextId(), nextId);
    // No checkpoint is left open.
    tree.commit(state, 1);
  });

  test('given the input beside the message (a call\'s calldata), it does not decode the params', async () => {
    const { state, address } = await deployedState();
    // Not CBOR: decoded, these params fail the call (ErrSerialization); with the input they are not read.
    const params = new Uint8Array([0xff]);
    const input = new Uint8Array([...new Uint8Array(31), 9]);
    assert.equal((await executor.call(state, callMessage(accounts[0].filAddress, address, params), ctx)).exitCode, ExitCode.ErrSerialization);
    assert.equal((await executor.call(state, callMessage(accounts[0].filAddress, address, params), ctx, input)).exitCode, ExitCode.Ok);
  });

  test('a message without its params, given the input (an eth_call\'s): a receiver that reads them gets them made of the input, a contract runs as with them', async () => {
    const { state, address } = await deployedState();
    const input = new Uint8Array([...new Uint8Array(31), 9]);
    const params = encodeCbor(input);
    const withParams = (to: FilAddress) => executor.call(state, callMessage(accounts[0].filAddress, to, params), ctx);
    const withoutParams = (to: FilAddress) => executor.call(state, callMessage(accounts[0].filAddress, to, new Uint8Array()), ctx, input);
    const outcome = ({ exitCode, gasUsed, returnData }: { exitCode: number; gasUsed: number; returnData: Uint8Array }) => ({ exitCode, gasUsed, returnData: [...returnData] });
    // The system actor runs no methods, the reward actor's dispatch refuses InvokeContract: each is charged the params' read by their size.
    for (const id of [0, REWARD_ACTOR_ID]) {
      const to = FilAddress.fromId(id);
      const expected = outcome(await withParams(to));
      assert.equal(expected.exitCode, ExitCode.ErrUnhandledMessage);
      assert.deepEqual(outcome(await withoutParams(to)), expected, `f0${id}`);
      // The size counts: without params or input the charge is less, so the check above sees them.
      assert.ok((await executor.call(state, callMessage(accounts[0].filAddress, to, new Uint8Array()), ctx)).gasUsed < expected.gasUsed);
    }
    assert.deepEqual(outcome(await withoutParams(address)), outcome(await withParams(address)));
    assert.equal((await withoutParams(address)).exitCode, ExitCode.Ok);
  });

  test('the receiver is resolved once, for the access record and the send alike: a call to a contract, a call to a fresh f410 (the send makes its Placeholder), an applied message', async () => {
    const { state, address, id } = await deployedState();
    // Counts the lookups of the message's own `to` (the EVM resolves its Ethereum address apart).
    const lookupsOf = (to: FilAddress) => {
      let count = 0;
      const lookupId = state.lookupId.bind(state);
      state.lookupId = (asked) => {
        if (asked === to) count++;
        return lookupId(asked);
      };
      return () => {
        state.lookupId = lookupId;
        return count;
      };
    };
    const params = new Uint8Array([0x58, 0x20, ...new Uint8Array(31), 9]);
    const message = callMessage(accounts[0].filAddress, address, params);
    const counted = lookupsOf(message.to);
    assert.equal((await executor.call(state, message, ctx)).exitCode, ExitCode.Ok);
    assert.equal(counted(), 1);
    // A fresh f410 (no actor yet): the send makes its Placeholder, which takes the value.
    const fresh = callMessage(accounts[0].filAddress, f410('0x' + '55'.repeat(20)), new Uint8Array(), 7n);
    const freshCounted = lookupsOf(fresh.to);
    assert.equal((await executor.call(state, fresh, ctx)).exitCode, ExitCode.Ok);
    assert.equal(freshCounted(), 1);
    const sent = await signed(wallets[0], { nonce: state.getActor(100)!.nonce, to: getCreateAddress({ from: wallets[0].address, nonce: 0 }), data: '0x' + '00'.repeat(31) + '05', gasLimit: 10_000_000n });
    // Its `to` made anew: the EVM's own lookups of the contract get the address made from its Ethereum address.
    const applied = { ...sent.message, to: FilAddress.fromBytes(sent.message.to.bytes) };
    const appliedCounted = lookupsOf(applied.to);
    assert.equal((await executor.applyMessage(state, applied, chainSize(sent), ctx)).exitCode, ExitCode.Ok);
    assert.equal(appliedCounted(), 1);
    assert.equal(state.getStorage(id, 0, 1n), 5n);
  });

  test('a revert is reported with its data', async () => {
    const { state, address, id } = await deployedState();
    const result = await executor.call(state, callMessage(accounts[0].filAddress, address, new Uint8Array()), ctx);
    assert.equal(result.exitCode, ExitCode.EvmReverted);
    assert.equal(toHex(result.returnData), '0xdeadbeef');
    assert.equal(state.getStorage(id, 0, 1n), 0n);
  });

  test('from a sender that does not exist: it runs from an ephemeral placeholder, which has no FIL to send', async () => {
    const { state, address, id } = await deployedState();
    const nextId = state.nextId();
    const stranger = f410('0x' + '44'.repeat(20));
    const params = new Uint8Array([0x58, 0x20, ...new Uint8Array(31), 9]);
    assert.equal((await executor.call(state, callMessage(stranger, address, params), ctx)).exitCode, ExitCode.Ok);
    // Lotus's placeholder (chain/stmgr/call.go) is as poor: the value transfer fails.
    const result = await executor.call(state, callMessage(stranger, address, params, 10n ** 18n), ctx);
    assert.equal(result.exitCode, ExitCode.SysErrInsufficientFunds);
    assert.equal(state.nextId(), nextId);
    assert.equal(idOf(state, stranger), undefined);
    assert.equal(balanceOf(state, id), 0n);
  });

  test('gas is free but the value is not: more than the sender holds is SysErrInsufficientFunds (6)', async () => {
    const { state, address, id } = await deployedState();
    const balance = balanceOf(state, 100);
    const params = new Uint8Array([0x58, 0x20, ...new Uint8Array(31), 9]);
    // Lotus estimates and calls with fee cap 0 and the message's value (gasutils.go, stmgr/call.go).
    assert.equal((await executor.call(state, callMessage(accounts[0].filAddress, address, params, balance), ctx)).exitCode, ExitCode.Ok);
    const result = await executor.call(state, callMessage(accounts[0].filAddress, address, params, balance + 1n), ctx);
    assert.equal(result.exitCode, ExitCode.SysErrInsufficientFunds);
    assert.equal(balanceOf(state, 100), balance);
    assert.equal(balanceOf(state, id), 0n);
  });
});
