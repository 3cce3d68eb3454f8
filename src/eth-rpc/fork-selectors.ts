// On a fork, /rpc/v2's tipset selectors that name a tipset of the upstream's before the fork epoch:
// a key the fork does not hold that the upstream has at or before the fork epoch, or a height before
// the fork epoch (below one of the fork's tipsets, or below such a key). The upstream answers them
// through the v1 methods of the same meaning (--fork-url names a v1 endpoint, and an older Lotus
// serves no /rpc/v2): ChainGetTipSet, ChainGetTipSetByHeight (`previous`) or
// ChainGetTipSetAfterHeight, then StateGetActor or StateLookupID at that tipset, an address the
// upstream does not know answered null as /rpc/v2 here answers it. Selectors of the fork's own
// tipsets (its first stands in for the upstream's at the fork epoch) stay local.
import type { CID } from '../common/cbor.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { isActorNotFound } from '../devnet/fork/upstream-state.js';
import type { RpcMethod } from './define-method.js';
import { keptTipset } from './dropped-tipsets.js';
import { parsed, unlessUnknown, type Local } from './fork-lookups.js';
import { cidJson } from './lotus-json.js';
import { filAddress } from './lotus-params.js';
import { isTipsetSelector, tipsetSelector, type TipsetSelector } from './tipset-selector.js';

interface LotusTipset {
  Cids: unknown;
  Height: number;
}

/** Whether a key names a tipset the fork does not hold, on its chain or dropped by a revert (the empty key is its head). */
const notHeld = (devnet: Devnet, key: CID[]) => key.length > 0 && !keptTipset(devnet, key);

/** The upstream's tipset at `key` if it has one at or before the fork epoch. */
async function upstreamAtKey(fork: Fork, key: CID[]): Promise<LotusTipset | undefined> {
  const tipset = await unlessUnknown(fork.upstream.call<LotusTipset>('Filecoin.ChainGetTipSet', [key.map(cidJson)]));
  return tipset && tipset.Height <= fork.point.epoch ? tipset : undefined;
}

/**
 * How to find the upstream's tipset a selector names, when it names one before the fork epoch
 * (undefined otherwise); that finding answers undefined for a key the upstream has only after it.
 */
function upstreamSelection(devnet: Devnet, fork: Fork, selector: TipsetSelector): (() => Promise<LotusTipset | undefined>) | undefined {
  if ('key' in selector) return notHeld(devnet, selector.key) ? () => upstreamAtKey(fork, selector.key) : undefined;
  if (!('height' in selector)) return undefined;
  const { at, previous, anchor } = selector.height;
  const byHeight = previous ? 'Filecoin.ChainGetTipSetByHeight' : 'Filecoin.ChainGetTipSetAfterHeight';
  if (anchor && 'key' in anchor && notHeld(devnet, anchor.key)) {
    return async () => {
      const from = await upstreamAtKey(fork, anchor.key);
      return from && fork.upstream.call<LotusTipset>(byHeight, [at, from.Cids]);
    };
  }
  // Below one of the fork's own tipsets, which are all at or after its first.
  if (at >= devnet.chain.first.epoch) return undefined;
  return () => fork.upstream.call<LotusTipset>(byHeight, [at, fork.point.tipsetKey]);
}

/** The upstream's v1 read at `tipset` standing for a v2 method, a missing actor null. */
async function readAt(fork: Fork, method: string, args: unknown[], tipset: LotusTipset): Promise<unknown> {
  if (method === 'Filecoin.ChainGetTipSet') return tipset;
  const v1 = method === 'Filecoin.StateGetID' ? 'Filecoin.StateLookupID' : method;
  try {
    return await fork.upstream.call(v1, [args[0], tipset.Cids]);
  } catch (error) {
    if (isActorNotFound(error)) return null;
    throw error;
  }
}

/** Answers a /rpc/v2 call whose selector names an upstream tipset before the fork epoch; undefined for any other call. */
export function routeTipsetSelector(devnet: Devnet, fork: Fork, method: RpcMethod, args: unknown[], local: Local): Promise<unknown> | undefined {
  const position = method.params.findIndex(isTipsetSelector);
  if (position < 0) return undefined;
  const selector = parsed(() => tipsetSelector('selector').parse(args[position]));
  // A bad selector or address is the local method's error.
  if (!selector || (position > 0 && !parsed(() => filAddress('address').parse(args[0])))) return undefined;
  const select = upstreamSelection(devnet, fork, selector);
  if (!select) return undefined;
  return (async () => {
    const tipset = await select();
    return tipset ? readAt(fork, method.name, args, tipset) : local(args);
  })();
}
