// devnet_addVerifiedClient's work: the genesis verifier (a key the node holds, m/44'/461'/1'/0/1)
// grants datacap to a client with a real signed AddVerifiedClient (verifreg method 4) message, mined
// before it returns, so that tests and users get verified clients without a notary.
import type { FilAddress } from '../common/address.js';
import { encodeBigInt, type CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import { DATACAP_ACTOR_ID, VERIFREG_ACTOR_ID } from '../fevm/actor.js';
import { VerifregMethod } from '../fevm/actors/verifreg/actor.js';
import { tokensToDatacap } from '../fevm/actors/verifreg/datacap-calls.js';
import type { StateReader } from '../fevm/state-tree.js';
import { sendFromNodeKey, type MessageSender } from './storage-providers/node-messages.js';

/** What granting needs from the node: sending from a held key, and the state the grant made. */
interface VerifierNode extends MessageSender {
  readonly wallet: { has(address: FilAddress): boolean };
  stateAt(epoch: number): StateReader;
}

export interface VerifiedClient {
  /** The AddVerifiedClient message. */
  message: CID;
  clientId: number;
  /** The client's datacap after the grant, in bytes. */
  datacap: bigint;
}

/** Grants `bytes` of datacap to `client` from `verifier`; resolves once the grant is mined. */
export async function addVerifiedClient(node: VerifierNode, verifier: FilAddress, client: FilAddress, bytes: bigint): Promise<VerifiedClient> {
  if (!node.wallet.has(verifier)) throw new DevnetError(`the node holds no key for the genesis verifier ${verifier.toString()}`);
  // A failing grant fails in gas estimation, with the registry's reason.
  const params = [client.bytes, encodeBigInt(bytes)];
  const { cid, epoch } = await sendFromNodeKey(node, { from: verifier, to: VERIFREG_ACTOR_ID, method: VerifregMethod.AddVerifiedClient, params, mine: true });
  const state = node.stateAt(epoch);
  const clientId = state.lookupId(client)!;
  const tokens = state.getActor(DATACAP_ACTOR_ID)?.datacap?.balances.get(clientId) ?? 0n;
  return { message: cid, clientId, datacap: tokensToDatacap(tokens) };
}
