// The Lotus chain methods: Filecoin.Version, ChainHead, ChainGetTipSet, ChainGetTipSetByHeight,
// ChainGetTipSetAfterHeight, ChainGetBlock, ChainGetMessage, ChainGetBlockMessages,
// ChainGetParentReceipts, ChainReadObj, ChainNotify.
import { DevnetError } from '../../common/errors.js';
import { SigType } from '../../fevm/message.js';
import { defineMethod } from '../define-method.js';
import { blockHeaderJson, bytesJson, cidJson, messageJson, receiptJson, signedMessageJson, tipsetJson } from '../lotus-json.js';
import { cid, epoch, tipsetKey, tipsetOf } from '../lotus-params.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { CID } from '../../common/cbor.js';

/** The Lotus release whose API the devnet follows, and the v1 API version (2.3.0). */
const LOTUS_VERSION = '1.36.2';
const FULL_API_VERSION = (2 << 16) | (3 << 8);
/** Lotus's local devnet block delay, in seconds: what a node reports when it mines instantly. */
const DEFAULT_BLOCK_DELAY = 4;

function tipsetByBlock(devnet: Devnet, block: CID) {
  const tipset = devnet.chain.byBlockCid(block);
  if (!tipset) throw new DevnetError(`get block ${block.toString()}: ipld: could not find ${block.toString()}`);
  return tipset;
}

export const filecoinChain = [
  defineMethod('Filecoin.Version', [], ({ devnet }) => ({
    Version: `${LOTUS_VERSION}+fvm-devnet`,
    APIVersion: FULL_API_VERSION,
    BlockDelay: devnet.config.blockTime ?? DEFAULT_BLOCK_DELAY,
  })),

  defineMethod('Filecoin.ChainHead', [], ({ devnet }) => tipsetJson(devnet.head)),

  defineMethod('Filecoin.ChainGetTipSet', [tipsetKey('tipsetKey')], ({ devnet }, key) => tipsetJson(tipsetOf(devnet, key))),

  defineMethod('Filecoin.ChainGetTipSetByHeight', [epoch('height'), tipsetKey('tipsetKey')], ({ devnet }, height, key) => {
    const from = tipsetOf(devnet, key);
    if (height > from.epoch) throw new DevnetError('looking for tipset with height greater than start point');
    // A null round's height gives the tipset before it.
    return tipsetJson(devnet.chain.atOrBefore(height)!);
  }),

  defineMethod('Filecoin.ChainGetTipSetAfterHeight', [epoch('height'), tipsetKey('tipsetKey')], ({ devnet }, height, key) => {
    const from = tipsetOf(devnet, key);
    if (height > from.epoch) throw new DevnetError('looking for tipset with height greater than start point');
    // A null round's height gives the tipset after it.
    return tipsetJson(devnet.chain.atOrAfter(height)!);
  }),

  defineMethod('Filecoin.ChainGetBlock', [cid('blockCid')], ({ devnet }, block) => blockHeaderJson(tipsetByBlock(devnet, block).header)),

  defineMethod('Filecoin.ChainGetMessage', [cid('messageCid')], ({ devnet }, messageCid) => {
    const found = devnet.chain.messageByCid(messageCid.toString());
    const pending = found ? undefined : devnet.pendingMessage(messageCid);
    const message = found?.message.signed.message ?? pending?.signed.message;
    if (!message) throw new DevnetError(`failed to load message: ipld: could not find ${messageCid.toString()}`);
    return messageJson(message);
  }),

  defineMethod('Filecoin.ChainGetBlockMessages', [cid('blockCid')], ({ devnet }, block) => {
    const { messages } = tipsetByBlock(devnet, block);
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
    const parent = devnet.chain.parentOf(tipset);
    return (parent?.messages ?? []).map((m) => receiptJson(m.receipt));
  }),

  defineMethod('Filecoin.ChainReadObj', [cid('cid')], ({ devnet }, objectCid) => {
    const bytes = devnet.chain.readObject(objectCid);
    if (!bytes) throw new DevnetError(`blockstore: block not found: ${objectCid.toString()}`);
    return bytesJson(bytes) ?? '';
  }),

  defineMethod('Filecoin.ChainNotify', [], ({ devnet, subscriptions }) => {
    if (!subscriptions) throw new DevnetError("connection doesn't support callbacks");
    return subscriptions.chainNotify(tipsetJson(devnet.head));
  }),
];
