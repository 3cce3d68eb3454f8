// The Lotus Msig* message builders (node/impl/full/multisig.go, chain/actors/builtin/multisig):
// Filecoin.MsigCreate, MsigPropose, MsigApprove(TxnHash), MsigCancel(TxnHash), MsigAdd*, MsigSwap* and
// MsigRemoveSigner. Each builds the unsigned message a signer would send, and is served twice, as
// Lotus serves it:
//  - v1 (/, /rpc/v1) answers it as a MessagePrototype {Message, ValidNonce: false}; nothing is pushed
//    (the caller signs and pushes it, e.g. with MpoolPushMessage, as `lotus msig` does);
//  - v0 (/rpc/v0, api/v0api's wrapper of v1) signs it with the node's wallet, pushes it as
//    MpoolPushMessage does and answers the signed message's CID.
// Lotus's own checks answer -32602 with its words, naming the argument.
import { FilAddress } from '../../common/address.js';
import { encodeBigInt, encodeCbor } from '../../common/cbor.js';
import { INIT_ACTOR_ID } from '../../fevm/actor.js';
import { InitMethod } from '../../fevm/actors/init.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { MultisigMethod, proposalHash } from '../../fevm/actors/multisig/state.js';
import { signedMessageCid, unsentMessage, type Message } from '../../fevm/message.js';
import type { Devnet } from '../../devnet/devnet.js';
import { defineMethod, defineWriteMethod, type Args, type RpcMethod } from '../define-method.js';
import { cidJson, messageJson } from '../lotus-json.js';
import { base64Bytes, filAddress, integer, tokenAmount, unsigned } from '../lotus-params.js';
import { bool, invalid, type Param } from '../params.js';
import { mpoolPushMessage } from './filecoin-mpool.js';

/** A proposal as ProposalHashData names it: the send it makes. */
interface Proposal {
  to: FilAddress;
  value: bigint;
  method: number;
  params: Uint8Array;
}

const addressList = (name: string): Param<FilAddress[]> => ({
  name,
  parse: (v) => {
    if (!Array.isArray(v)) throw invalid(name, 'expected a list of Filecoin addresses');
    return v.map((item, i) => filAddress(`${name}[${i}]`).parse(item));
  },
});

/** One builder, as v1 serves it (a MessagePrototype) and as v0 serves it (pushed from the node's wallet, its CID). */
function builder<const P extends readonly Param<unknown>[]>(name: string, params: P, build: (devnet: Devnet, ...args: Args<P>) => Message) {
  return {
    v1: defineMethod(name, params, ({ devnet }, ...args) => ({ Message: messageJson(build(devnet, ...args)), ValidNonce: false })),
    v0: defineWriteMethod(name, params, async ({ devnet }, ...args) => cidJson(signedMessageCid(await mpoolPushMessage(devnet, await devnet.untilFetched(() => build(devnet, ...args)))))),
  };
}

function propose(msig: FilAddress, src: FilAddress, proposal: Proposal) {
  return unsentMessage(src, msig, MultisigMethod.Propose, encodeCbor([proposal.to.bytes, encodeBigInt(proposal.value), proposal.method, proposal.params]));
}

/**
 * Approve or Cancel of transaction `txId`, with the proposal hash when the proposal is given (its
 * proposer resolved to an ID address, as Lotus looks it up).
 */
function approveOrCancel(devnet: Devnet, method: number, msig: FilAddress, txId: number, src: FilAddress, hashed?: { proposer: FilAddress; proposerName: string; proposal: Proposal }) {
  if (!hashed) return unsentMessage(src, msig, method, encodeCbor([txId, new Uint8Array()]));
  const requester = resolveAddress(devnet.stateAt(devnet.head.epoch), hashed.proposer);
  if (!requester) throw invalid(hashed.proposerName, `resolution lookup failed (${hashed.proposer.toString()}): actor not found`);
  const { to, value, method: proposed, params } = hashed.proposal;
  return unsentMessage(src, msig, method, encodeCbor([txId, proposalHash(FilAddress.fromId(requester.id), { to: to.bytes, value, method: proposed, params })]));
}

const selfSend = (msig: FilAddress, method: number, params: unknown): Proposal => ({ to: msig, value: 0n, method, params: encodeCbor(params) });
const addSigner = (msig: FilAddress, signer: FilAddress, increase: boolean) => selfSend(msig, MultisigMethod.AddSigner, [signer.bytes, increase]);
const swapSigner = (msig: FilAddress, from: FilAddress, to: FilAddress) => selfSend(msig, MultisigMethod.SwapSigner, [from.bytes, to.bytes]);

const builders = [
  // Init's Exec of a multisig with [signers, threshold, unlock duration, start epoch 0]; a threshold of 0 means all signers.
  builder(
    'Filecoin.MsigCreate',
    [unsigned('req'), addressList('addrs'), integer('duration'), tokenAmount('val'), filAddress('src'), tokenAmount('gp')],
    (devnet, req, addrs, duration, val, src) => {
      if (addrs.length < req) throw invalid('req', 'cannot require signing of more addresses than provided for multisig');
      const constructor = [addrs.map((a) => a.bytes), req === 0 ? addrs.length : req, duration, 0];
      return unsentMessage(src, FilAddress.fromId(INIT_ACTOR_ID), InitMethod.Exec, encodeCbor([devnet.codes.codeOf('multisig'), encodeCbor(constructor)]), val);
    },
  ),

  builder(
    'Filecoin.MsigPropose',
    [filAddress('msig'), filAddress('to'), tokenAmount('amt'), filAddress('src'), unsigned('method'), base64Bytes('params')],
    (_devnet, msig, to, value, src, method, params) => propose(msig, src, { to, value, method, params }),
  ),

  builder('Filecoin.MsigApprove', [filAddress('msig'), unsigned('txID'), filAddress('src')], (devnet, msig, txId, src) =>
    approveOrCancel(devnet, MultisigMethod.Approve, msig, txId, src),
  ),

  builder(
    'Filecoin.MsigApproveTxnHash',
    [filAddress('msig'), unsigned('txID'), filAddress('proposer'), filAddress('to'), tokenAmount('amt'), filAddress('src'), unsigned('method'), base64Bytes('params')],
    (devnet, msig, txId, proposer, to, value, src, method, params) =>
      approveOrCancel(devnet, MultisigMethod.Approve, msig, txId, src, { proposer, proposerName: 'proposer', proposal: { to, value, method, params } }),
  ),

  builder('Filecoin.MsigCancel', [filAddress('msig'), unsigned('txID'), filAddress('src')], (devnet, msig, txId, src) =>
    approveOrCancel(devnet, MultisigMethod.Cancel, msig, txId, src),
  ),

  // Only the proposer may cancel, so the sender is the proposer the hash names.
  builder(
    'Filecoin.MsigCancelTxnHash',
    [filAddress('msig'), unsigned('txID'), filAddress('to'), tokenAmount('amt'), filAddress('src'), unsigned('method'), base64Bytes('params')],
    (devnet, msig, txId, to, value, src, method, params) =>
      approveOrCancel(devnet, MultisigMethod.Cancel, msig, txId, src, { proposer: src, proposerName: 'src', proposal: { to, value, method, params } }),
  ),

  builder('Filecoin.MsigAddPropose', [filAddress('msig'), filAddress('src'), filAddress('newAdd'), bool('inc')], (_devnet, msig, src, signer, increase) =>
    propose(msig, src, addSigner(msig, signer, increase)),
  ),

  builder(
    'Filecoin.MsigAddApprove',
    [filAddress('msig'), filAddress('src'), unsigned('txID'), filAddress('proposer'), filAddress('newAdd'), bool('inc')],
    (devnet, msig, src, txId, proposer, signer, increase) =>
      approveOrCancel(devnet, MultisigMethod.Approve, msig, txId, src, { proposer, proposerName: 'proposer', proposal: addSigner(msig, signer, increase) }),
  ),

  builder(
    'Filecoin.MsigAddCancel',
    [filAddress('msig'), filAddress('src'), unsigned('txID'), filAddress('newAdd'), bool('inc')],
    (devnet, msig, src, txId, signer, increase) =>
      approveOrCancel(devnet, MultisigMethod.Cancel, msig, txId, src, { proposer: src, proposerName: 'src', proposal: addSigner(msig, signer, increase) }),
  ),

  builder('Filecoin.MsigSwapPropose', [filAddress('msig'), filAddress('src'), filAddress('oldAdd'), filAddress('newAdd')], (_devnet, msig, src, from, to) =>
    propose(msig, src, swapSigner(msig, from, to)),
  ),

  builder(
    'Filecoin.MsigSwapApprove',
    [filAddress('msig'), filAddress('src'), unsigned('txID'), filAddress('proposer'), filAddress('oldAdd'), filAddress('newAdd')],
    (devnet, msig, src, txId, proposer, from, to) =>
      approveOrCancel(devnet, MultisigMethod.Approve, msig, txId, src, { proposer, proposerName: 'proposer', proposal: swapSigner(msig, from, to) }),
  ),

  builder(
    'Filecoin.MsigSwapCancel',
    [filAddress('msig'), filAddress('src'), unsigned('txID'), filAddress('oldAdd'), filAddress('newAdd')],
    (devnet, msig, src, txId, from, to) =>
      approveOrCancel(devnet, MultisigMethod.Cancel, msig, txId, src, { proposer: src, proposerName: 'src', proposal: swapSigner(msig, from, to) }),
  ),

  builder(
    'Filecoin.MsigRemoveSigner',
    [filAddress('msig'), filAddress('proposer'), filAddress('toRemove'), bool('decrease')],
    (_devnet, msig, proposer, signer, decrease) => propose(msig, proposer, selfSend(msig, MultisigMethod.RemoveSigner, [signer.bytes, decrease])),
  ),
];

/** The builders as /, /rpc/v1 (and /rpc/v2) serve them: MessagePrototypes. */
export const filecoinMsig: RpcMethod[] = builders.map((b) => b.v1);

/** The builders as /rpc/v0 serves them: pushed from the node's wallet, answering the message's CID. */
export const filecoinMsigV0: RpcMethod[] = builders.map((b) => b.v0);
