// The EVM's view of the state tree: @ethereumjs/evm asks for Ethereum accounts, code and storage;
// this answers from actors. An EVM actor is a contract, every other actor an account without code.
import type { StateManagerInterface } from '@ethereumjs/common';
import { Account, KECCAK256_RLP, type Address } from '@ethereumjs/util';
import { isMaskedId } from '../../../common/address.js';
import { isReservedPrecompileAddress } from '../../../filecoin-precompiles/index.js';
import { keccak256 } from '../../../common/hashes.js';
import { bigintToBytes, bytesToBigint } from '../../../common/hex.js';
import type { Actor } from '../../actor.js';
import type { StateOverlay } from '../../state-tree.js';
import { createPlaceholder, resolveEthAddress } from '../lifecycle.js';
import { EMPTY_KAMT, storageShapeOf, withSlotShaped, type KamtNode } from './kamt-shape.js';

const EMPTY = new Uint8Array();

/**
 * What checkpoint, commit and revert return: the overlay's are synchronous, so they are done when
 * they return, and one settled promise serves them all (runMessage need not wait for it).
 */
export const SETTLED: Promise<void> = Promise.resolve();

export class EvmStateAdapter implements StateManagerInterface {
  private state: StateOverlay | undefined;
  /** Told of each actor the EVM creates (a Placeholder for a new f410 or a CREATE's address): its creation paid its first access. */
  onCreated: ((id: number) => void) | undefined;
  /**
   * A slot's value as the message found it: read only by @ethereumjs's SSTORE gas function and handler
   * (and EIP-7928/8037, off on the FEVM), which the FEVM replaces with its own (fevm-evm.ts: SSTORE
   * prices no Ethereum refunds), so nothing asks; an interface member, refusing loudly should that change.
   */
  readonly originalStorageCache = {
    get: (): Promise<Uint8Array> => {
      throw new Error("the FEVM prices no SSTORE refunds: nothing reads a slot's original value");
    },
    clear: (): void => {},
  };

  /**
   * The two actors found last, at which addresses (the arrays) and state versions: a frame asks for
   * its caller's account and its contract's account, code and storage, each by the same address, and
   * the frame's send for its contract first (FevmEvm._executeCall).
   */
  private foundAt: Uint8Array | undefined;
  private foundVersion = -1;
  private found: Actor | undefined;
  private foundBeforeAt: Uint8Array | undefined;
  private foundBeforeVersion = -1;
  private foundBefore: Actor | undefined;

  /** Points the EVM at the state one message runs on. */
  use(state: StateOverlay): void {
    this.state = state;
    this.foundAt = undefined;
    this.foundBeforeAt = undefined;
  }

  private get current(): StateOverlay {
    if (!this.state) throw new Error('no state in use');
    return this.state;
  }

  private actorAt(address: Address): Actor | undefined {
    return this.actorOf(address.bytes);
  }

  /**
   * The actor at Ethereum address `eth` on the state in use (resolveEthAddress): the last two asked (by
   * array) are kept, found again when the state moved or two others were asked since.
   */
  actorOf(eth: Uint8Array): Actor | undefined {
    const state = this.current;
    const { version } = state;
    if (eth === this.foundAt && version === this.foundVersion) return this.found;
    if (eth === this.foundBeforeAt && version === this.foundBeforeVersion) return this.foundBefore;
    this.foundBeforeAt = this.foundAt;
    this.foundBeforeVersion = this.foundVersion;
    this.foundBefore = this.found;
    this.found = resolveEthAddress(state, eth);
    this.foundAt = eth;
    this.foundVersion = version;
    return this.found;
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    return this.accountAt(address);
  }

  /** getAccount's answer, synchronously (a frame's set-up reads its contract's: call-frame.ts). */
  accountAt(address: Address): Account | undefined {
    const actor = this.actorAt(address);
    if (!actor) return undefined;
    // A dead contract looks like an empty account, so that CREATE may resurrect it.
    if (actor.evm?.dead) return new Account(0n, actor.balance);
    if (actor.evm) return new Account(BigInt(actor.evm.nonce), actor.balance, KECCAK256_RLP, actor.evm.bytecodeHash);
    return new Account(BigInt(actor.nonce), actor.balance);
  }

  /** Whether an actor that is not a dead contract is at `address`: then writing its account back unchanged changes nothing. */
  holdsLiveActor(address: Address): boolean {
    const actor = this.actorAt(address);
    return actor !== undefined && actor.evm?.dead !== true;
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (!account) return this.deleteAccount(address);
    const actor = this.actorAt(address);
    if (!actor) {
      // An ID address cannot be created by sending to it; an f410 gets a Placeholder. A CALL to a
      // reserved precompile address only sends (to its f410) when it carries value.
      if (isMaskedId(address.bytes)) return;
      if (isReservedPrecompileAddress(address.bytes) && account.balance === 0n) return;
      const placeholder = createPlaceholder(this.current, address.bytes, account.balance);
      this.current.putActor({ ...placeholder, nonce: Number(account.nonce) });
      this.onCreated?.(placeholder.id);
      return;
    }
    // The EVM writes back every frame's sender and receiver whether they changed or not (a CALL
    // without value changes neither): an unchanged actor is not written again.
    if (!actor.evm?.dead && account.balance === actor.balance && account.nonce === BigInt(actor.evm ? actor.evm.nonce : actor.nonce)) return;
    if (actor.evm?.dead && account.nonce === 0n) {
      // Value sent to a dead contract: it stays dead.
      this.current.putActor({ ...actor, balance: account.balance });
    } else if (actor.evm) {
      // A nonce on a dead contract means CREATE is deploying to it again (EAM Resurrect).
      this.current.putActor({ ...actor, balance: account.balance, evm: { ...actor.evm, nonce: Number(account.nonce), dead: undefined } });
    } else {
      this.current.putActor({ ...actor, balance: account.balance, nonce: Number(account.nonce) });
    }
  }

  /** Actors are never deleted by the EVM; accounts it considers empty stay as they are. */
  async deleteAccount(_address: Address): Promise<void> {}

  async modifyAccountFields(address: Address, fields: Partial<{ nonce: bigint; balance: bigint }>): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) account.nonce = fields.nonce;
    if (fields.balance !== undefined) account.balance = fields.balance;
    await this.putAccount(address, account);
  }

  /** Deploying code turns the actor at the address (a Placeholder until now) into an EVM actor. */
  async putCode(address: Address, code: Uint8Array): Promise<void> {
    const actor = this.actorAt(address);
    if (!actor) throw new Error(`no actor at ${address.toString()} to deploy code to`);
    this.current.putActor({
      ...actor,
      kind: 'evm',
      nonce: 0,
      // What the constructor wrote (a Placeholder's storage was empty), kept from now on.
      storageShape: storageShapeOf(actor),
      evm: {
        bytecode: code,
        bytecodeHash: keccak256(code),
        nonce: actor.evm ? actor.evm.nonce : Math.max(actor.nonce, 1),
        storageGeneration: actor.evm?.storageGeneration ?? 0,
      },
    });
  }

  async getCode(address: Address): Promise<Uint8Array> {
    return this.codeAt(address);
  }

  /** getCode's answer, synchronously (a CALL frame's code: call-frame.ts). */
  codeAt(address: Address): Uint8Array {
    return this.actorAt(address)?.evm?.bytecode ?? EMPTY;
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const actor = this.actorAt(address);
    if (!actor) return EMPTY;
    return bigintToBytes(this.current.getStorage(actor.id, actor.evm?.storageGeneration ?? 0, bytesToBigint(key)));
  }

  /** A slot's value, synchronously (the gas model reads it for every SSTORE). */
  storageAt(address: Address, slot: bigint): bigint {
    const actor = this.actorAt(address);
    return actor ? this.current.getStorage(actor.id, actor.evm?.storageGeneration ?? 0, slot) : 0n;
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    this.storeAt(address, bytesToBigint(key), bytesToBigint(value));
  }

  /** putStorage of a word at a slot, synchronously (the FEVM's SSTORE: fevm-evm.ts). */
  storeAt(address: Address, slot: bigint, word: bigint): void {
    const actor = this.actorAt(address);
    if (!actor) throw new Error(`no actor at ${address.toString()} to store to`);
    const generation = actor.evm?.storageGeneration ?? 0;
    const shaped = withSlotShaped(actor, slot, this.current.getStorage(actor.id, generation, slot), word);
    if (shaped !== actor) this.current.putActor(shaped);
    this.current.putStorage(actor.id, generation, slot, word);
  }

  async clearStorage(address: Address): Promise<void> {
    const actor = this.actorAt(address);
    if (actor?.evm) {
      this.current.putActor({ ...actor, storageShape: EMPTY_KAMT, evm: { ...actor.evm, storageGeneration: actor.evm.storageGeneration + 1 } });
    }
  }

  /** The storage KAMT's shape of the contract at `address` (kamt-shape.ts); undefined when unknown. */
  storageShape(address: Address): KamtNode | undefined {
    return storageShapeOf(this.actorAt(address));
  }

  checkpoint(): Promise<void> {
    this.current.checkpoint();
    return SETTLED;
  }

  commit(): Promise<void> {
    this.current.commit();
    return SETTLED;
  }

  revert(): Promise<void> {
    this.current.revert();
    return SETTLED;
  }

  // The devnet keeps no Merkle state roots; the EVM does not need them to run calls.
  async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32);
  }

  async setStateRoot(): Promise<void> {
    throw new Error('state roots are not supported');
  }

  async hasStateRoot(): Promise<boolean> {
    return false;
  }

  clearCaches(): void {}

  shallowCopy(): StateManagerInterface {
    throw new Error('shallowCopy is not supported');
  }
}
