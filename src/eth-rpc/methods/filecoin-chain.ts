// The Lotus chain methods: Filecoin.Version, ChainHead, ChainGetTipSet, ChainGetTipSetByHeight,
// ChainGetTipSetAfterHeight, ChainGetBlock, ChainGetMessage, ChainGetBlockMessages,
// ChainGetParentReceipts, ChainReadObj, ChainNotify, ChainGetGenesis, ChainGetPath,
// ChainGetParentMessages, ChainGetMessagesInTipset, ChainHasObj, ChainStatObj, ChainTipSetWeight.
import { DevnetError } from '../../common/errors.js';
import { manifestBlock } from '../../fevm/manifest.js';
import { SigType } from '../../fevm/message.js';
import { tipsetAtHeightFrom } from '../block-ref.js';
import { defineChannelMethod, defineMethod } from '../define-method.js';
import { keptByBlockCid, keptParentOf, keptTipsetOf, loadedMessage, walkedParentOf } from '../dropped-tipsets.js';
import { blockHeaderJson, bytesJson, cidJson, messageJson, receiptJson, signedMessageJson, tipsetJson } from '../lotus-json.js';
import { cid, integer, tipsetKey } from '../lotus-params.js';
import type { Devnet } from '../../devnet/devnet.js';
import { decodeCbor, type CID } from '../../common/cbor.js';
import { equalBytes } from '../../common/hex.js';
import { weightOf, type Tipset } from '../../mining/tipset.js';
import { optional } from '../params.js';
import { servedBlock } from '../served-blocks.js';
import { layOutHeadTables } from './filecoin-state.js';

/** The Lotus release whose API the devnet follows, and its API versions: v1's 2.3.0, v0's 1.5.0 (api/version.go). */
const LOTUS_VERSION = '1.36.2';
const FULL_API_VERSION_1 = (2 << 16) | (3 << 8);
const FULL_API_VERSION_0 = (1 << 16) | (5 << 8);
/** The node's version as Filecoin.Version and rpc.discover answer it: Lotus's release, marked as an fvm-devnet. */
export const NODE_VERSION = `${LOTUS_VERSION}+fvm-devnet`;

/**
 * Filecoin.Version answering `apiVersion`: Lotus's v0 endpoint answers its own (api/v0api/v1_wrapper.go
 * Version). Agent is Lotus's (buildconstants.UserAgent); Version says the node is an fvm-devnet.
 */
const versionMethod = (apiVersion: number) =>
  defineMethod('Filecoin.Version', [], ({ devnet }) => ({
    Version: NODE_VERSION,
    APIVersion: apiVersion,
    BlockDelay: devnet.blockDelay,
    Agent: 'lotus',
  }));

/** What /rpc/v0 answers in place of v1's chain methods. */
export const filecoinChainV0 = [versionMethod(FULL_API_VERSION_0)];

/** The tipset of a block by its CID: on the chain, or dropped by a revert or reorg (Lotus's blockstore keeps it). */
function tipsetByBlock(devnet: Devnet, block: CID) {
  const tipset = keptByBlockCid(devnet, block);
  if (!tipset) throw new DevnetError(`get block ${block.toString()}: ipld: could not find ${block.toString()}`);
  return tipset;
}

/** api.Message: a message's CID with the message itself; a tipset without messages gives null (a Go nil slice). */
function messagesJson(tipset: Tipset | undefined) {
  if (!tipset || tipset.messages.length === 0) return null;
  return tipset.messages.map((m) => ({ Cid: cidJson(m.cid), Message: messageJson(m.signed.message) }));
}

/** The CIDs a dag-cbor object links to, anywhere in it. */
function linksOf(value: unknown, out: CID[] = []): CID[] {
  if (value && typeof value === 'object') {
    const asCid = (value as { asCID?: CID }).asCID;
    if (asCid === value) out.push(asCid);
    else if (value instanceof Uint8Array) return out;
    else for (const item of Object.values(value)) linksOf(item, out);
  }
  return out;
}

/** A block the node holds: the chain's (headers, messages, receipts' events), an actors manifest's, or a state block it served. */
const readObject = (devnet: Devnet, objectCid: CID): Uint8Array | undefined =>
  devnet.chain.readObject(objectCid) ?? manifestBlock(objectCid.toString()) ?? servedBlock(devnet, objectCid);

/**
 * readObject, and on a miss again once the head's tables are laid out (layOutHeadTables). Not on a
 * fork: its upstream answers for the blocks the fork did not write.
 */
function readStateObject(devnet: Devnet, objectCid: CID): Uint8Array | undefined {
  const bytes = readObject(devnet, objectCid);
  if (bytes || devnet.fork) return bytes;
  layOutHeadTables(devnet);
  return readObject(devnet, objectCid);
}

/**
 * The objects reachable from `root` that the chain holds, each once, as Lotus's ChainStatObj walks
 * them (links to objects the devnet does not store, such as its state roots, are not followed).
 */
function walkObjects(devnet: Devnet, root: CID, seen: Set<string>, visit: (bytes: Uint8Array) => void): void {
  const stack = [root];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const key = next.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    const bytes = devnet.chain.readObject(next);
    if (!bytes) {
      if (next.equals(root)) throw new DevnetError(`ipld: could not find ${key}`);
      continue;
    }
    visit(bytes);
    stack.push(...linksOf(decodeCbor(bytes)));
  }
}

/**
 * The tipsets from `from` and from `to` back to (not including) their common ancestor, newest first,
 * as Lotus's ReorgOps walks them (chain/store/store.go: the higher back first, the pair equal at
 * the ancestor). Parents on the chain or dropped: a tipset a revert or reorg dropped walks back
 * through its own branch to where it left the chain.
 */
function reorgOps(devnet: Devnet, from: Tipset, to: Tipset): { reverts: Tipset[]; applies: Tipset[] } {
  const reverts: Tipset[] = [];
  const applies: Tipset[] = [];
  let left = from;
  let right = to;
  while (!equalBytes(left.hash, right.hash)) {
    if (left.epoch > right.epoch) {
      reverts.push(left);
      left = walkedParentOf(devnet, left);
    } else {
      applies.push(right);
      right = walkedParentOf(devnet, right);
    }
  }
  return { reverts, applies };
}

/** Lotus's error for an empty key as an end of ChainGetPath: a tipset of no blocks. */
export const emptyPathEnd = (end: 'from' | 'to') => new DevnetError(`loading ${end} tipset {}: NewTipSet called with zero length array of blocks`);

export const filecoinChain = [
  versionMethod(FULL_API_VERSION_1),

  defineMethod('Filecoin.ChainHead', [], ({ devnet }) => tipsetJson(devnet.head)),

  defineMethod('Filecoin.ChainGetTipSet', [tipsetKey('tipsetKey')], ({ devnet }, key) => tipsetJson(keptTipsetOf(devnet, key))),

  // The height is any integer, as Lotus's ChainEpoch (an int64) decodes: a negative one is refused by the lookup, in Lotus's words.
  defineMethod('Filecoin.ChainGetTipSetByHeight', [integer('height'), tipsetKey('tipsetKey')], ({ devnet }, height, key) =>
    // A null round's height gives the tipset before it.
    tipsetJson(tipsetAtHeightFrom(devnet, height, keptTipsetOf(devnet, key), 'before')),
  ),

  defineMethod('Filecoin.ChainGetTipSetAfterHeight', [integer('height'), tipsetKey('tipsetKey')], ({ devnet }, height, key) =>
    // A null round's height gives the tipset after it.
    tipsetJson(tipsetAtHeightFrom(devnet, height, keptTipsetOf(devnet, key), 'after')),
  ),

  defineMethod('Filecoin.ChainGetBlock', [cid('blockCid')], ({ devnet }, block) => blockHeaderJson(tipsetByBlock(devnet, block).header)),

  defineMethod('Filecoin.ChainGetMessage', [cid('messageCid')], ({ devnet }, messageCid) => {
    // Lotus reads any message its pool took from its blockstore: mined (a kept dropped tipset's too), pending or replaced.
    const message = devnet.chain.messageByCid(messageCid)?.message.signed.message ?? devnet.pendingMessage(messageCid)?.signed.message ?? loadedMessage(devnet, messageCid);
    if (!message) throw new DevnetError(`failed to load message: ipld: could not find ${messageCid.toString()}`);
    return messageJson(message);
  }),

  defineMethod('Filecoin.ChainGetBlockMessages', [cid('blockCid')], ({ devnet }, block) => {
    // Each signed message read once: an Ethereum transaction's is made when read.
    const messages = tipsetByBlock(devnet, block).messages.map((m) => ({ cid: m.cid, signed: m.signed }));
    const bls = messages.filter((m) => m.signed.signature.type === SigType.BLS);
    const secp = messages.filter((m) => m.signed.signature.type !== SigType.BLS);
    return {
      BlsMessages: bls.map((m) => messageJson(m.signed.message)),
      SecpkMessages: secp.map((m) => signedMessageJson(m.signed, m.cid)),
      Cids: [...bls, ...secp].map((m) => cidJson(m.cid)),
    };
  }),

  // A block's parent receipts are those of the messages its parent tipset included.
  defineMethod('Filecoin.ChainGetParentReceipts', [cid('blockCid')], ({ devnet }, block) => {
    const tipset = tipsetByBlock(devnet, block);
    const parent = keptParentOf(devnet, tipset);
    return (parent?.messages ?? []).map((m) => receiptJson(m.receipt));
  }),

  // On a fork, a block the node does not hold may be the upstream's: a forked singleton's State
  // names the upstream's table roots until the fork writes to it, so the upstream answers for them.
  defineMethod('Filecoin.ChainReadObj', [cid('cid')], async ({ devnet }, objectCid) => {
    const bytes = readStateObject(devnet, objectCid);
    if (bytes) return bytesJson(bytes) ?? '';
    if (devnet.fork) return devnet.fork.upstream.call('Filecoin.ChainReadObj', [cidJson(objectCid)]);
    throw new DevnetError(`blockstore: block not found: ${objectCid.toString()}`);
  }),

  defineMethod('Filecoin.ChainGetGenesis', [], ({ devnet }) => tipsetJson(devnet.chain.first)),

  // The tipset's own weight, which the tipset mined on it carries as ParentWeight (Lotus
  // node/impl/full/chain.go:432 ChainTipSetWeight: ChainStore.Weight of the tipset).
  defineMethod('Filecoin.ChainTipSetWeight', [tipsetKey('tipsetKey')], ({ devnet }, key) => weightOf(keptTipsetOf(devnet, key)).toString()),

  // HeadChanges from one tipset to another: reverts newest first, then applies oldest first (Lotus ReorgOps).
  // Lotus loads each end's blocks (LoadTipSet: a tipset a revert dropped too), so an empty key is no tipset here, not the head.
  defineMethod('Filecoin.ChainGetPath', [tipsetKey('from'), tipsetKey('to')], ({ devnet }, fromKey, toKey) => {
    if (!fromKey?.length) throw emptyPathEnd('from');
    const from = keptTipsetOf(devnet, fromKey);
    if (!toKey?.length) throw emptyPathEnd('to');
    const { reverts, applies } = reorgOps(devnet, from, keptTipsetOf(devnet, toKey));
    return [...reverts.map((t) => ({ Type: 'revert', Val: tipsetJson(t) })), ...applies.reverse().map((t) => ({ Type: 'apply', Val: tipsetJson(t) }))];
  }),

  // The messages of the block's parent tipset (null for genesis).
  defineMethod('Filecoin.ChainGetParentMessages', [cid('blockCid')], ({ devnet }, block) => {
    const tipset = tipsetByBlock(devnet, block);
    return messagesJson(tipset.epoch === 0 ? undefined : keptParentOf(devnet, tipset));
  }),

  defineMethod('Filecoin.ChainGetMessagesInTipset', [tipsetKey('tipsetKey')], ({ devnet }, key) => messagesJson(keptTipsetOf(devnet, key))),

  defineMethod('Filecoin.ChainHasObj', [cid('cid')], ({ devnet }, objectCid) => readStateObject(devnet, objectCid) !== undefined),

  // Size: the bytes of every object reachable from `obj` and not from `base`; Links: how many objects that is.
  defineMethod('Filecoin.ChainStatObj', [cid('obj'), optional(cid('base'))], ({ devnet }, obj, base) => {
    const seen = new Set<string>();
    if (base) walkObjects(devnet, base, seen, () => {});
    let size = 0;
    let links = 0;
    walkObjects(devnet, obj, seen, (bytes) => {
      size += bytes.length;
      links += 1;
    });
    return { Size: size, Links: links };
  }),

  defineChannelMethod('Filecoin.ChainNotify', [], ({ devnet, subscriptions }) => subscriptions.chainNotify(tipsetJson(devnet.head))),
];
