// devnet_addVerifiedClient: the genesis verifier (a key the node holds, m/44'/461'/1'/0/1) grants
// datacap to a client with a real signed AddVerifiedClient (verifreg method 4) message, mined before
// the call returns, so that tests and users get verified clients without a notary.
import { FilAddress } from '../../common/address.js';
import { encodeBigInt, encodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { DATACAP_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../fevm/actor.js';
import { VerifregMethod } from '../../fevm/actors/verifreg/actor.js';
import { tokensToDatacap } from '../../fevm/actors/verifreg/datacap-calls.js';
import { formatExitCode } from '../../fevm/exit-code.js';
import { signedMessageCid, type Message } from '../../fevm/message.js';
import { defineMethod } from '../define-method.js';
import { addressJson, cidJson } from '../lotus-json.js';
import { anyAddress } from '../lotus-params.js';
import { invalid, type Param } from '../params.js';

/** Bytes of datacap: a decimal string or a hex quantity. */
const allowance: Param<bigint> = {
  name: 'allowance',
  parse: (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v !== 'string' || !/^(\d+|0x[0-9a-fA-F]+)$/.test(v)) throw invalid('allowance', 'expected bytes as a decimal string or a hex quantity');
    return BigInt(v);
  },
};

export const cheatsVerifreg = [
  defineMethod('devnet_addVerifiedClient', [anyAddress('address'), allowance], async ({ devnet }, client, bytes) => {
    const { verifier } = devnet;
    if (!devnet.wallet.has(verifier)) throw new DevnetError(`the node holds no key for the genesis verifier ${verifier.toString()}`);
    const message: Message = {
      version: 0,
      to: FilAddress.fromId(VERIFREG_ACTOR_ID),
      from: verifier,
      nonce: 0,
      value: 0n,
      gasLimit: 0,
      gasFeeCap: 0n,
      gasPremium: 0n,
      method: VerifregMethod.AddVerifiedClient,
      params: encodeCbor([client.bytes, encodeBigInt(bytes)]),
    };
    // A failing grant fails here, in gas estimation, with the registry's reason.
    const cid = signedMessageCid(await devnet.pushWithWallet(message));
    // Outside instant mining the message waits in the pool: mine it now.
    if (!devnet.chain.messageByCid(cid.toString())) await devnet.mine();
    const included = devnet.chain.messageByCid(cid.toString());
    if (!included) throw new DevnetError(`AddVerifiedClient message ${cid.toString()} was not mined`);
    const { exitCode } = included.message.receipt;
    if (exitCode !== 0) throw new DevnetError(`AddVerifiedClient message ${cid.toString()} failed: exit ${formatExitCode(exitCode)}`);
    const state = devnet.stateAt(included.tipset.epoch);
    const id = state.lookupId(client)!;
    const balance = state.getActor(DATACAP_ACTOR_ID)?.datacap?.balances.get(id) ?? 0n;
    return { cid: cidJson(cid), client: addressJson(FilAddress.fromId(id)), datacap: tokensToDatacap(balance).toString() };
  }),
];
