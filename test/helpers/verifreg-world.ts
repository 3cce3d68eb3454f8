// A genesis state with the verified registry's root key (the multisig t080 of one signer) and verifier, three funded f1 clients and a
// test actor of kind storageminer, driven through the Executor: native messages applied as a node
// applies them (signatures are the pool's business, not the executor's), calls from the miner-like
// actor run as a send from it, and EVM contracts deployed from the first dev account.
import { StateAccess } from '../../src/fevm/state-access.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, Wallet, concat, getBytes, getCreateAddress, hexlify, type InterfaceAbi } from 'ethers';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { cidOf, decodeCbor, encodeBigInt, encodeCbor, RAW, type CID } from '../../src/common/cbor.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveAccounts } from '../../src/devnet/accounts.js';
import { createGenesisState, ROOT_KEY_MULTISIG_ID } from '../../src/devnet/genesis.js';
import { deriveNodeKeys, GENESIS_VERIFIER_ALLOWANCE } from '../../src/devnet/node-keys.js';
import { DATACAP_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../src/fevm/actor.js';
import { createActor } from '../../src/fevm/actors/lifecycle.js';
import { invokeBuiltin, type SendFn } from '../../src/fevm/actors/invoke-builtin.js';
import { builtinActor } from '../../src/fevm/actors/builtin.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { EMPTY_DATACAP_STATE } from '../../src/fevm/actors/datacap/state.js';
import { EMPTY_VERIFREG_STATE } from '../../src/fevm/actors/verifreg/state.js';
import { decodeEthTransaction, toFilecoinMessage } from '../../src/fevm/eth-tx.js';
import { Executor } from '../../src/fevm/executor.js';
import { chainSize, METHOD_INVOKE_CONTRACT, type Message } from '../../src/fevm/message.js';
import type { StateOverlay } from '../../src/fevm/state-tree.js';
import type { ExecutionContext, MessageReceipt, SendResult } from '../../src/fevm/types.js';
import { CHAIN_ID, DEV_KEY } from './fevm.js';
import { compileSolidity, FIXTURE_CONTRACTS_DIR, type CompiledContract } from './solc.js';

export const FIL = 10n ** 18n;
export const TOKENS = 10n ** 18n;
/** builtin-actors' smallest verified allocation and allowance on calibnet (1 MiB), as a number and a bigint. */
export const MiB = 1 << 20;
export const MiBn = 1n << 20n;
export const F06 = FilAddress.fromId(VERIFREG_ACTOR_ID);
export const F07 = FilAddress.fromId(DATACAP_ACTOR_ID);
/** The verified registry's root key, a multisig whose only signer is KEYS.rootKey. */
export const F080 = FilAddress.fromId(ROOT_KEY_MULTISIG_ID);
export const KEYS = deriveNodeKeys(DEFAULT_MNEMONIC);
/** The CID of some data (any CID will do for the registry). */
export const PIECE = cidOf(new TextEncoder().encode('piece one'), RAW);
export const OTHER_PIECE = cidOf(new TextEncoder().encode('piece two'), RAW);

const clientAddress = (n: number) => FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(0xc0 + n));
export const CLIENTS = [clientAddress(1), clientAddress(2), clientAddress(3)];

let executorPromise: Promise<Executor> | undefined;
let compiled: Promise<Record<string, CompiledContract>> | undefined;

export interface World {
  executor: Executor;
  state: StateOverlay;
  ctx: ExecutionContext;
  /** The root key multisig (80) and its signer's account. */
  rootId: number;
  rootSignerId: number;
  verifierId: number;
  clientIds: number[];
  minerId: number;
  otherMinerId: number;
  /** Applies a native message from `from` to `to`; params are a CBOR value. */
  send(from: FilAddress, to: FilAddress, method: number | string, params?: unknown, value?: bigint): Promise<MessageReceipt>;
  /** Sends from the miner-like actor (a builtin caller) to the verified registry. */
  fromMiner(method: number, params: unknown, minerId?: number): Promise<SendResult>;
  datacap(id: number): bigint;
  setEpoch(epoch: number): void;
}

export async function verifregWorld(): Promise<World> {
  const executor = await (executorPromise ??= Executor.create(CHAIN_ID));
  const accounts = deriveAccounts(DEFAULT_MNEMONIC, 1);
  const fund = CLIENTS.map((address) => ({ address, balance: 1000n * FIL }));
  const tree = createGenesisState(accounts, 10_000n * FIL, fund, { keys: [] }, {
    rootKey: KEYS.rootKey.address,
    verifier: KEYS.verifier.address,
    dealClient: KEYS.dealClient.address,
    verifierAllowance: GENESIS_VERIFIER_ALLOWANCE,
    balance: 1000n * FIL,
  });
  const state = tree.stage();
  const miner = createActor(state, 'storageminer');
  const otherMiner = createActor(state, 'storageminer');
  const ctx: ExecutionContext = { epoch: 10, timestamp: 1_700_000_000, chainId: CHAIN_ID, baseFee: 100n };
  const id = (address: FilAddress) => state.lookupId(address)!;
  // The executor's send is private: the tests reach it to let a miner-like actor call the registry.
  const sendFn: SendFn = (st, send, c) => (executor as unknown as { send: SendFn }).send(st, send, c);

  const world: World = {
    executor,
    state,
    ctx,
    rootId: ROOT_KEY_MULTISIG_ID,
    rootSignerId: id(KEYS.rootKey.address),
    verifierId: id(KEYS.verifier.address),
    clientIds: CLIENTS.map(id),
    minerId: miner.id,
    otherMinerId: otherMiner.id,
    async send(from, to, method, params, value = 0n) {
      const sender = state.getActor(id(from))!;
      const message: Message = {
        version: 0,
        to,
        from,
        nonce: sender.nonce,
        value,
        gasLimit: 10_000_000_000,
        gasFeeCap: 1000n,
        gasPremium: 100n,
        method: typeof method === 'string' ? methodNumber(method) : method,
        params: params === undefined ? new Uint8Array() : encodeCbor(params),
      };
      return executor.applyMessage(state, message, 200, world.ctx);
    },
    async fromMiner(method, params, minerId = miner.id) {
      const sender = state.getActor(minerId)!;
      const receiver = state.getActor(VERIFREG_ACTOR_ID)!;
      const send = { fromId: minerId, to: F06, method, value: 0n, params: { codec: 0x51, data: encodeCbor(params) }, readOnly: false, gasLimit: 10_000_000_000 };
      state.checkpoint();
      const result = await invokeBuiltin(builtinActor('verifiedregistry')!, { state, access: new StateAccess(), ctx: world.ctx, sender, receiver, send }, sendFn);
      if (result.exitCode === 0) state.commit();
      else state.revert();
      return result;
    },
    datacap: (holder) => (state.getActor(DATACAP_ACTOR_ID)!.datacap ?? EMPTY_DATACAP_STATE).balances.get(holder) ?? 0n,
    setEpoch(epoch) {
      world.ctx = { ...world.ctx, epoch };
    },
  };
  return world;
}

export const verifregState = (w: World) => w.state.getActor(VERIFREG_ACTOR_ID)!.verifreg ?? EMPTY_VERIFREG_STATE;
export const datacapState = (w: World) => w.state.getActor(DATACAP_ACTOR_ID)!.datacap ?? EMPTY_DATACAP_STATE;

/** The decoded CBOR return of a receipt. */
export const returned = (receipt: { returnData: Uint8Array }): any => decodeCbor(receipt.returnData);

/**
 * Proposes a send from the root key multisig by `proposer` (its genesis signer unless told), as
 * `lotus-shed verifreg add-verifier` does; the receipt and the ProposeReturn
 * `[txnId, applied, exitCode, return]` (with one approval needed, applied at once).
 */
export async function proposeAsRoot(w: World, to: FilAddress, method: number, params: unknown, proposer = KEYS.rootKey.address) {
  const receipt = await w.send(proposer, F080, 2, [to.bytes, encodeBigInt(0n), method, encodeCbor(params)]);
  assert.equal(receipt.exitCode, 0, 'Propose');
  return { receipt, proposed: returned(receipt) as [number, boolean, number, Uint8Array] };
}

/** Grants `bytes` of datacap to a client, by the genesis verifier with AddVerifiedClient (4). */
export async function grant(w: World, client: FilAddress, bytes: bigint): Promise<void> {
  const receipt = await w.send(KEYS.verifier.address, F06, 4, [client.bytes, encodeBigInt(bytes)]);
  assert.equal(receipt.exitCode, 0, 'AddVerifiedClient');
}

export interface AllocationRequestFields {
  provider: number;
  data?: CID;
  size: number;
  termMin?: number;
  termMax?: number;
  expiration?: number;
}

/** 180 days and 5 years, in epochs: the registry's term limits. */
export const TERM_MIN = 518400;
export const TERM_MAX = 5259485;

export function allocationRequests(w: World, requests: AllocationRequestFields[], extensions: [number, number, number][] = []): Uint8Array {
  return encodeCbor([
    requests.map((r) => [r.provider, r.data ?? PIECE, r.size, r.termMin ?? TERM_MIN, r.termMax ?? TERM_MIN + 100_000, r.expiration ?? w.ctx.epoch + 1000]),
    extensions,
  ]);
}

/** Datacap Transfer to f06 from a client with allocation requests; the receipt. */
export function transferForAllocations(w: World, client: FilAddress, bytes: bigint, operatorData: Uint8Array): Promise<MessageReceipt> {
  return w.send(client, F07, 'Transfer', [F06.bytes, encodeBigInt(bytes * TOKENS), operatorData]);
}

// EVM contracts, deployed by the first dev account.

export interface Contract {
  iface: Interface;
  address: FilAddress;
  eth: string;
  id: number;
}

const devWallet = new Wallet(DEV_KEY);

function contracts(): Promise<Record<string, CompiledContract>> {
  compiled ??= compileSolidity({ 'DataCapClient.sol': readFileSync(join(FIXTURE_CONTRACTS_DIR, 'DataCapClient.sol'), 'utf8') });
  return compiled;
}

async function ethTx(w: World, to: string | null, data: string): Promise<MessageReceipt> {
  const from = FilAddress.fromEthAddress(getBytes(devWallet.address));
  const nonce = w.state.getActor(w.state.lookupId(from)!)!.nonce;
  const raw = await devWallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, to, data, gasLimit: 5_000_000_000, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 100n });
  const signed = toFilecoinMessage(decodeEthTransaction(getBytes(raw), CHAIN_ID));
  return w.executor.applyMessage(w.state, signed.message, chainSize(signed), w.ctx);
}

export const deployDataCapClient = async (w: World): Promise<Contract> => deployContract(w, (await contracts()).DataCapClient!, 'DataCapClient');

/** Deploys a compiled contract from the first dev account, with its constructor's arguments. */
export async function deployContract(w: World, artifact: CompiledContract, name: string, args: unknown[] = []): Promise<Contract> {
  const iface = new Interface(artifact.abi as InterfaceAbi);
  const nonce = w.state.getActor(w.state.lookupId(FilAddress.fromEthAddress(getBytes(devWallet.address)))!)!.nonce;
  const receipt = await ethTx(w, null, hexlify(concat([artifact.bytecode, iface.encodeDeploy(args)])));
  assert.equal(receipt.exitCode, 0, `deploying ${name}`);
  const eth = getCreateAddress({ from: devWallet.address, nonce });
  const address = FilAddress.fromEthAddress(getBytes(eth));
  return { iface, address, eth, id: w.state.lookupId(address)! };
}

/** Calls a contract function in a transaction; the receipt and the decoded results. */
export async function invoke(w: World, c: Contract, fn: string, args: unknown[] = []): Promise<{ receipt: MessageReceipt; result?: any }> {
  const receipt = await ethTx(w, c.eth, c.iface.encodeFunctionData(fn, args));
  if (receipt.exitCode !== 0) return { receipt };
  const output = decodeCbor<Uint8Array>(receipt.returnData);
  return { receipt, result: c.iface.decodeFunctionResult(fn, hexlify(output)) };
}

/** Reads a view function (eth_call style). */
export async function view(w: World, c: Contract, fn: string): Promise<any> {
  const from = FilAddress.fromEthAddress(getBytes(devWallet.address));
  const input = getBytes(c.iface.encodeFunctionData(fn));
  const message: Message = { version: 0, to: c.address, from, nonce: 0, value: 0n, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: METHOD_INVOKE_CONTRACT, params: encodeCbor(input) };
  const result = await w.executor.call(w.state, message, w.ctx);
  assert.equal(result.exitCode, 0);
  return c.iface.decodeFunctionResult(fn, hexlify(result.returnData))[0];
}
