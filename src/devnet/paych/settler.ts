// Lotus's payment channel settler (paychmgr/settler): once a Settle of a channel the node tracks as
// inbound has succeeded and is MessageConfidence + 1 epochs deep (at once in instant mode), the node
// submits, per lane, the largest of its vouchers that is still spendable (BestSpendableByLane), so
// that the payee is paid what it holds before the channel can be collected. Lotus logs a submission
// that fails; here its outcome is the UpdateChannelState message's receipt.
import type { FilAddress } from '../../common/address.js';
import { PaychMethod } from '../../fevm/actors/paych/state.js';
import type { Devnet } from '../devnet.js';
import { MESSAGE_CONFIDENCE, type PaychManager, type Voucher } from './manager.js';
import { DIR_INBOUND } from './store.js';

const NONE = new Uint8Array();

export function settleInboundChannels(devnet: Devnet, manager: PaychManager): void {
  devnet.events.on('tipset', (tipset) => {
    for (const { cid, signed, receipt } of tipset.messages) {
      const channel = signed.message.to;
      if (signed.message.method !== PaychMethod.Settle || receipt.exitCode !== 0 || !inbound(manager, channel)) continue;
      devnet
        .waitForConfidence(cid, MESSAGE_CONFIDENCE + 1, true)
        .then(() => submitBestByLane(manager, channel))
        .catch(() => undefined);
    }
  });
}

/** The settler's matcher: a channel in PaychList whose PaychStatus is inbound (the message's To as written). */
const inbound = (manager: PaychManager, channel: FilAddress) => manager.store.byAddress(channel)?.direction === DIR_INBOUND;

async function submitBestByLane(manager: PaychManager, channel: FilAddress): Promise<void> {
  const best = new Map<bigint, Voucher>();
  for (const v of manager.listVouchers(channel)) {
    if (!(await manager.checkVoucherSpendable(channel, v, NONE, NONE))) continue;
    const held = best.get(v.voucher.lane);
    if (!held || v.voucher.amount > held.voucher.amount) best.set(v.voucher.lane, v);
  }
  for (const v of best.values()) await manager.submitVoucher(channel, v, NONE, NONE);
}
