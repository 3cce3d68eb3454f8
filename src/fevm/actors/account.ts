// The account actor of f1/f3 keys (builtin-actors actors/account): it answers with its key address
// and checks signatures made with its key, which is how the market authenticates an f1 deal client.
import { ExitCode } from '../exit-code.js';
import { verifySignature } from '../signature.js';
import { SigType } from '../message.js';
import { FilAddress, Protocol } from '../../common/address.js';
import { signatureVerificationGas } from '../builtin-method-gas.js';
import { bytes, tuple } from './params.js';
import { ActorError, methodTable, type BuiltinActor } from './runtime.js';

export const accountActor: BuiltinActor = {
  methods: methodTable({
    PubkeyAddress: { noParams: true, legacy: 2, internalOnly: true, run: (rt) => (rt.self().robust ?? FilAddress.fromId(rt.receiverId)).bytes },
    AuthenticateMessage: {
      run(rt, params) {
        const [signature, message] = tuple(params, 2, 'AuthenticateMessage params');
        const key = rt.self().robust;
        if (!key) throw new ActorError(ExitCode.ErrIllegalArgument, 'account has no key to authenticate with');
        const type = key.protocol === Protocol.Secp256k1 ? SigType.Secp256k1 : SigType.BLS;
        const [sig, plaintext] = [bytes(signature, 'signature'), bytes(message, 'message')];
        rt.chargeGas(signatureVerificationGas(type === SigType.BLS, plaintext.length));
        if (!verifySignature(type, sig, plaintext, key)) {
          throw new ActorError(ExitCode.ErrIllegalArgument, 'failed to authenticate message, signature invalid');
        }
        return true;
      },
    },
  }),
  // Any other exported method is accepted and returns nothing (so accounts take MarketNotifyDeal, value sends…).
  acceptsExported: true,
};
