// A state with the storage market and the actors around it, for the market's unit tests: sends are
// dispatched as the executor does (resolve, value, builtin method in a checkpoint), except that actors
// given a test double (a storage miner, DataCap, a misbehaving client) answer through it.
import { StateAccess } from '../../src/fevm/state-access.js';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as Digest from 'multiformats/hashes/digest';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { CID, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { concatBytes } from '../../src/common/hex.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { DATACAP_ACTOR_ID, MARKET_ACTOR_ID, type Actor } from '../../src/fevm/actor.js';
import { builtinActor } from '../../src/fevm/actors/builtin.js';
import { invokeBuiltin } from '../../src/fevm/actors/invoke-builtin.js';
import { createActor, resolveAddress, transfer } from '../../src/fevm/actors/lifecycle.js';
import { address, bigInt, tuple } from '../../src/fevm/actors/params.js';
import { methodTable, type BuiltinActor, type MethodSpec } from '../../src/fevm/actors/runtime.js';
import { EMPTY_MARKET_STATE, type MarketState } from '../../src/fevm/actors/market/state.js';
import { Executor } from '../../src/fevm/executor.js';
import { ErrorNumber } from '../../src/filecoin-precompiles/runtime.js';
import { METHOD_SEND } from '../../src/fevm/message.js';
import { secp256k1Address } from '../../src/fevm/signature.js';
import type { StateOverlay } from '../../src/fevm/state-tree.js';
import type { ActorEvent, ActorSend, ExecutionContext, SendOutcome, SendResult } from '../../src/fevm/types.js';

export const FIL = 10n ** 18n;
export const MIN_DURATION = 518_400;

/** A piece CID of the format the market accepts (fil-commitment-unsealed, sha2-256-trunc254-padded). */
export function pieceCid(seed = 1): CID {
  return CID.createV1(0xf101, Digest.create(0x1012, new Uint8Array(32).fill(seed)));
}

export interface Client {
  actor: Actor;
  address: FilAddress;
  sign(data: Uint8Array): Uint8Array;
}

export interface ProposalFields {
  pieceCid: CID;
  pieceSize: number;
  verified: boolean;
  client: FilAddress;
  provider: FilAddress;
  label: string | Uint8Array;
  start: number;
  end: number;
  price: bigint;
  providerCollateral: bigint;
  clientCollateral: bigint;
}

/** The CBOR value of a DealProposal. */
export const proposalCbor = (p: ProposalFields): unknown[] => [
  p.pieceCid,
  p.pieceSize,
  p.verified,
  p.client.bytes,
  p.provider.bytes,
  p.label,
  p.start,
  p.end,
  encodeBigInt(p.price),
  encodeBigInt(p.providerCollateral),
  encodeBigInt(p.clientCollateral),
];

export class MarketHarness {
  epoch = 100;
  /** Test doubles by actor ID; they answer instead of the actor's kind. */
  readonly doubles = new Map<number, BuiltinActor>();
  /** Every send a double received: [receiver ID, method, params]. */
  readonly received: [number, number, unknown][] = [];

  private constructor(
    readonly state: StateOverlay,
    readonly executor: Executor,
  ) {}

  static async create(): Promise<MarketHarness> {
    return new MarketHarness(createGenesisState([], 0n).stage(), await Executor.create(31415926n));
  }

  get ctx(): ExecutionContext {
    return { epoch: this.epoch, timestamp: 1_700_000_000 + this.epoch * 30, chainId: 31415926n, baseFee: 100n };
  }

  get market(): MarketState {
    return this.state.getActor(MARKET_ACTOR_ID)!.market ?? EMPTY_MARKET_STATE;
  }

  balance = (id: number): bigint => this.state.getActor(id)!.balance;

  newClient(balance = 1000n * FIL): Client {
    const key = secp256k1.utils.randomSecretKey();
    const keyAddress = secp256k1Address(secp256k1.getPublicKey(key, false));
    const actor = createActor(this.state, 'account', { robust: keyAddress, balance });
    const sign = (data: Uint8Array) => {
      const sig = secp256k1.sign(blake2b256(data), key, { prehash: false, format: 'recovered' });
      return concatBytes(sig.subarray(1), sig.subarray(0, 1));
    };
    return { actor, address: keyAddress, sign };
  }

  /** A storage miner whose owner and worker are these actors (a double of IsControllingAddress and ControlAddresses). */
  newMiner(owner: number, worker = owner): Actor {
    const miner = createActor(this.state, 'storageminer');
    this.double(miner.id, {
      IsControllingAddress: { run: (rt, params) => [owner, worker].includes(resolveAddress(rt.state, address(params, 'address'))?.id ?? -1) },
      ControlAddresses: { noParams: true, legacy: 2, internalOnly: true, run: () => [FilAddress.fromId(owner).bytes, FilAddress.fromId(worker).bytes, []] },
    });
    return miner;
  }

  /** DataCap (f07): balances by client ID, TransferFrom answering with allocation IDs from `nextAllocation`. */
  datacap(balances: Map<number, bigint>, nextAllocation = { id: 1 }): void {
    this.double(DATACAP_ACTOR_ID, {
      Balance: { run: (rt, params) => encodeBigInt(balances.get(resolveAddress(rt.state, address(params, 'owner'))!.id) ?? 0n) },
      TransferFrom: {
        run: (rt, params) => {
          const [from, , amount, operatorData] = tuple(params, 4, 'TransferFromParams');
          const fromId = resolveAddress(rt.state, address(from, 'from'))!.id;
          balances.set(fromId, (balances.get(fromId) ?? 0n) - bigInt(amount, 'amount'));
          const [allocations] = tuple(decodeCbor(operatorData as Uint8Array), 2, 'AllocationRequests') as [unknown[]];
          const ids = allocations.map(() => nextAllocation.id++);
          const response = encodeCbor([[ids.length, []], [0, []], ids]);
          return [encodeBigInt(balances.get(fromId)!), new Uint8Array(), new Uint8Array(), response];
        },
      },
    });
  }

  double(id: number, methods: Record<string, MethodSpec>): void {
    const table = methodTable(methods);
    const recorded = new Map([...table].map(([n, m]) => [n, { ...m, run: (rt: Parameters<typeof m.run>[0], params: unknown) => {
      this.received.push([id, n, params]);
      return m.run(rt, params);
    } }]));
    this.doubles.set(id, { methods: recorded });
  }

  /** A message from `from` to `to`, as the executor would run it at the current epoch. */
  async call(from: number, to: number | FilAddress, method: number, params?: unknown, value = 0n): Promise<SendResult> {
    const send: ActorSend = {
      fromId: from,
      to: typeof to === 'number' ? FilAddress.fromId(to) : to,
      method,
      value,
      params: params === undefined ? undefined : { codec: 0x51, data: encodeCbor(params) },
      readOnly: false,
      gasLimit: 10_000_000_000,
    };
    const outcome = await this.send(this.state, send, this.ctx);
    if (outcome.type === 'syscall-error') throw new Error(`syscall error ${outcome.errno}`);
    return outcome.result;
  }

  /** Runs the cron work due at the current epoch through the executor. */
  runCron(): Promise<{ actor: number; error: unknown }[]> {
    return this.executor.runCron(this.state, this.ctx);
  }

  /** The events of a result, as [type, {field: value}]. */
  static events(events: ActorEvent[]): [string, Record<string, unknown>][] {
    return events.map((e) => {
      const fields = Object.fromEntries(e.entries.map((x) => [x.key, decodeCbor(x.value)]));
      const { $type, ...rest } = fields;
      return [$type as string, rest];
    });
  }

  readonly send = async (state: StateOverlay, send: ActorSend, ctx: ExecutionContext): Promise<SendOutcome> => {
    let receiver = resolveAddress(state, send.to);
    if (!receiver) {
      if (send.to.protocol !== Protocol.Secp256k1 || send.readOnly) return { type: 'syscall-error', errno: ErrorNumber.NotFound, gasUsed: 0 };
      receiver = createActor(state, 'account', { robust: send.to });
    }
    const sender = state.getActor(send.fromId)!;
    if (sender.balance < send.value) return { type: 'syscall-error', errno: ErrorNumber.InsufficientFunds, gasUsed: 0 };
    if (send.method === METHOD_SEND) {
      transfer(state, sender.id, receiver.id, send.value);
      return { type: 'invoked', result: { exitCode: 0, returnData: new Uint8Array(), gasUsed: 0, events: [] } };
    }
    const actor = this.doubles.get(receiver.id) ?? builtinActor(receiver.kind);
    if (!actor) return { type: 'invoked', result: { exitCode: 22, returnData: new Uint8Array(), gasUsed: 0, events: [] } };
    return { type: 'invoked', result: await invokeBuiltin(actor, { state, access: new StateAccess(), ctx, sender, receiver, send }, this.send) };
  };
}

/** A market with a client (100 FIL in escrow), a miner (10 FIL in escrow) and its owner, and deal builders. */
export async function setupMarket() {
  const h = await MarketHarness.create();
  const client = h.newClient();
  const owner = h.newClient();
  const miner = h.newMiner(owner.actor.id);
  const provider = FilAddress.fromId(miner.id);
  const deposit = async (from: number, who: FilAddress, value: bigint) => assert.equal((await h.call(from, MARKET_ACTOR_ID, 2, who.bytes, value)).exitCode, 0);
  await deposit(client.actor.id, client.address, 100n * FIL);
  await deposit(owner.actor.id, provider, 10n * FIL);
  const fields = (overrides: Partial<ProposalFields> = {}, who: Client = client): ProposalFields => ({
    pieceCid: pieceCid(),
    pieceSize: 2048,
    verified: false,
    client: who.address,
    provider,
    label: 'bafy-root',
    start: h.epoch + 100,
    end: h.epoch + 100 + MIN_DURATION,
    price: 1000n,
    providerCollateral: FIL,
    clientCollateral: 2n * FIL,
    ...overrides,
  });
  const signed = (p: ProposalFields, who: Client = client) => {
    const value = proposalCbor(p);
    return [value, concatBytes(new Uint8Array([1]), who.sign(encodeCbor(value)))];
  };
  const publish = (deals: unknown[], from = owner.actor.id) => h.call(from, MARKET_ACTOR_ID, 4, [deals]);
  return { h, client, owner, miner, provider, deposit, fields, signed, publish };
}
