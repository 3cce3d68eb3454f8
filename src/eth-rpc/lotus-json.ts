// Filecoin objects in the JSON Lotus prints: CIDs as {"/": "…"}, big integers as decimal strings,
// bytes as base64 (null when empty), addresses with the `t` prefix.
import { FilAddress } from '../common/address.js';
import type { CID } from '../common/cbor.js';
import type { Actor } from '../fevm/actor.js';
import type { CodeTable } from '../fevm/code-table.js';
import type { Message, SignedMessage } from '../fevm/message.js';
import { eventsRoot } from '../fevm/events-amt.js';
import { messageCid } from '../fevm/message.js';
import type { MessageReceipt } from '../fevm/types.js';
import type { BlockHeader, Tipset } from '../mining/tipset.js';

export const cidJson = (cid: CID) => ({ '/': cid.toString() });
export const bytesJson = (bytes: Uint8Array) => (bytes.length ? Buffer.from(bytes).toString('base64') : null);
export const addressJson = (address: FilAddress) => address.toString('t');
/** An actor's ID address (t0…) as Lotus's JSON writes it. */
export const idJson = (id: number) => addressJson(FilAddress.fromId(id));

export function blockHeaderJson(h: BlockHeader) {
  const { winCount, vrfProof } = h.electionProof; // made when read (src/mining/tipset.ts): once
  return {
    Miner: addressJson(h.miner),
    Ticket: { VRFProof: bytesJson(h.ticket) },
    ElectionProof: { WinCount: winCount, VRFProof: bytesJson(vrfProof) },
    BeaconEntries: [],
    WinPoStProof: [],
    Parents: h.parents.map(cidJson),
    ParentWeight: h.parentWeight.toString(),
    Height: h.height,
    ParentStateRoot: cidJson(h.parentStateRoot),
    ParentMessageReceipts: cidJson(h.parentMessageReceipts),
    Messages: cidJson(h.messages),
    BLSAggregate: null,
    Timestamp: h.timestamp,
    BlockSig: null,
    ForkSignaling: 0,
    ParentBaseFee: h.parentBaseFee.toString(),
  };
}

/** A tipset; a fork's first one is the upstream's, its blocks as the upstream answered them. */
export function tipsetJson(tipset: Tipset) {
  const { upstream } = tipset;
  if (upstream) return { Cids: upstream.blocks.map(cidJson), Blocks: upstream.headers, Height: tipset.epoch };
  return { Cids: [cidJson(tipset.blockCid)], Blocks: [blockHeaderJson(tipset.header)], Height: tipset.epoch };
}

/** The tipset key as Lotus prints it: the list of block CIDs. */
export const tipsetKeyJson = (tipset: Tipset) => (tipset.upstream?.blocks ?? [tipset.blockCid]).map(cidJson);

export function messageJson(m: Message) {
  return {
    Version: m.version,
    To: addressJson(m.to),
    From: addressJson(m.from),
    Nonce: m.nonce,
    Value: m.value.toString(),
    GasLimit: m.gasLimit,
    GasFeeCap: m.gasFeeCap.toString(),
    GasPremium: m.gasPremium.toString(),
    Method: m.method,
    Params: bytesJson(m.params),
    CID: cidJson(messageCid(m)),
  };
}

export function signedMessageJson(sm: SignedMessage, cid: CID) {
  return {
    Message: messageJson(sm.message),
    Signature: { Type: sm.signature.type, Data: bytesJson(sm.signature.data) },
    CID: cidJson(cid),
  };
}

/** A receipt; EventsRoot names the AMT of its events (null without events), as Lotus fills it. */
export function receiptJson(r: MessageReceipt) {
  const events = eventsRoot(r.events);
  return { ExitCode: r.exitCode, Return: bytesJson(r.returnData), GasUsed: r.gasUsed, EventsRoot: events ? cidJson(events.root) : null };
}

/** An actor as Lotus's JSON gives it (chain/types Actor), its Code from the chain's code table (a fork's: its upstream's). */
export function actorJson(actor: Actor, head: CID, codes: CodeTable) {
  return {
    Code: cidJson(codes.codeOf(actor.kind)),
    Head: cidJson(head),
    Nonce: actor.nonce,
    Balance: actor.balance.toString(),
    DelegatedAddress: actor.delegated ? addressJson(actor.delegated) : null,
  };
}
