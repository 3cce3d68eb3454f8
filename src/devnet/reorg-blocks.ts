// anvil_reorg's new blocks, checked as Lotus checks a block's messages before it takes the block
// (chain/consensus/common.go checkBlockMessages): each valid for block inclusion, a block's gas limits
// within the block gas limit, each sender able to send, and its nonces in sequence from the state the
// new chain grows from. A reorg whose blocks break one of these is refused before the chain changes.
import { InvalidParamsError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import { canSend } from '../fevm/actor.js';
import { resolveAddress } from '../fevm/actors/lifecycle.js';
import { BLOCK_GAS_LIMIT } from '../fevm/gas.js';
import { onChainMessage } from '../fevm/price-list.js';
import type { StateReader } from '../fevm/state-tree.js';
import { blockInclusionError } from '../mining/block-inclusion.js';
import type { PendingMessage } from '../mining/mempool.js';

/**
 * Throws InvalidParamsError, in Lotus's words, for the first message of `blocks` (the new tipsets'
 * messages, in the order they run) that a Lotus node would refuse a block for, on `state` (the
 * tipset the new chain grows from). A sender with no actor there counts from nonce 0: an earlier
 * block of the reorg may create it.
 */
export function checkReorgBlocks(state: StateReader, blocks: readonly (readonly PendingMessage[])[]): void {
  const nonces = new Map<number | string, number>();
  blocks.forEach((block, offset) => {
    let gas = 0;
    for (const pending of block) {
      const message = pending.signed.message;
      const refuse = (why: string) => new InvalidParamsError(`transaction ${nameOf(pending)} (block ${offset} of the reorg): ${why}`);
      const invalid = blockInclusionError(message, onChainMessage(pending.chainSize));
      if (invalid) throw refuse(`invalid for block inclusion: ${invalid}`);
      gas += message.gasLimit;
      if (gas > BLOCK_GAS_LIMIT) throw refuse('block gas limit exceeded');
      const sender = resolveAddress(state, message.from);
      if (sender && !canSend(sender)) throw refuse('Sender must be an account actor');
      const key = sender?.id ?? message.from.toString();
      const expected = nonces.get(key) ?? sender?.nonce ?? 0;
      if (message.nonce !== expected) throw refuse(`wrong nonce (exp: ${expected}, got: ${message.nonce})`);
      nonces.set(key, expected + 1);
    }
  });
}

/** A message as its sender knows it: an Ethereum transaction's hash, else its CID. */
function nameOf(pending: PendingMessage): string {
  return pending.ethTx ? bytesToHex(pending.ethTx.hash) : pending.cid.toString();
}
