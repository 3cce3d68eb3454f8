// Messages the node sends from keys it holds (the storage providers' workers and owners, its deal
// client): built, estimated and signed by the node's wallet, then waited for until mined. A message
// that would fail is refused at estimation with the actor's reason, so nothing half-done is mined.
import { FilAddress } from '../../common/address.js';
import { decodeCbor, encodeCbor, type CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { signedMessageCid, unsentMessage, type Message, type SignedMessage } from '../../fevm/message.js';
import type { MessageLocation } from '../../mining/chain-store.js';
import type { Tipset } from '../../mining/tipset.js';

/** What sending from a held key needs from the node. */
export interface MessageSender {
  /** Estimates, signs with the node's key and pushes (Filecoin.MpoolPushMessage). */
  pushWithWallet(message: Message): Promise<SignedMessage>;
  /** Whether a message is on chain yet. */
  readonly chain: { messageByCid(cid: CID): MessageLocation | undefined };
  mine(): Promise<Tipset>;
  waitForMessage(cid: CID): Promise<MessageLocation>;
}

interface NodeMessage {
  from: FilAddress;
  to: number | FilAddress;
  method: number;
  /** A CBOR value; undefined for no params. */
  params?: unknown;
  value?: bigint;
  /** Mine the message at once if mining is not instant (cheat codes answer once their message is on chain). */
  mine?: boolean;
}

export interface SentMessage {
  cid: CID;
  /** The decoded CBOR return, if any. */
  returnValue: unknown;
  /** The epoch it was mined in. */
  epoch: number;
}

/** Sends a message and waits until it is mined: its return, or an error if it failed. */
export async function sendFromNodeKey(node: MessageSender, message: NodeMessage): Promise<SentMessage> {
  return minedResult(node, await pushFromNodeKey(node, message), message.mine);
}

/** Estimates, signs and pushes a message (a later one from the same sender is estimated after it); its CID. */
export async function pushFromNodeKey(node: MessageSender, { from, to, method, params, value = 0n }: NodeMessage): Promise<CID> {
  const message = unsentMessage(from, typeof to === 'number' ? FilAddress.fromId(to) : to, method, params === undefined ? new Uint8Array() : encodeCbor(params), value);
  return signedMessageCid(await node.pushWithWallet(message));
}

/** Waits until message `cid` is mined (with `mine`, mining it if it is not yet): its return, or an error if it failed. */
export async function minedResult(node: MessageSender, cid: CID, mine = false): Promise<SentMessage> {
  if (mine && !node.chain.messageByCid(cid)) await node.mine();
  const { tipset, message: included } = await node.waitForMessage(cid);
  const { exitCode, returnData } = included.receipt;
  const { method, to } = included.signed.message;
  if (exitCode !== 0) throw new DevnetError(`method ${method} to ${to.toString()} failed with exit code ${exitCode}`);
  return { cid, returnValue: returnData.length ? decodeCbor(returnData) : undefined, epoch: tipset.epoch };
}
