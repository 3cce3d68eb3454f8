// The market funds a Lotus node moves for its wallet: Filecoin.MarketAddBalance, MarketWithdraw and
// MarketGetReserved (lotus node/impl/market, chain/market/fundmanager.go). The node signs with keys it
// holds, as MpoolPushMessage does; it keeps no reservations (MarketReserveFunds is not served), so
// nothing is reserved.
import { FilAddress } from '../../common/address.js';
import { encodeBigInt, encodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { formatFil } from '../../common/units.js';
import type { Devnet } from '../../devnet/devnet.js';
import { MARKET_ACTOR_ID } from '../../fevm/actor.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { EMPTY_MARKET_STATE } from '../../fevm/actors/market/state.js';
import { signedMessageCid, unsentMessage } from '../../fevm/message.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { cidJson } from '../lotus-json.js';
import { filAddress, tokenAmount } from '../lotus-params.js';
import { mpoolPushMessage } from './filecoin-mpool.js';

/** The market's legacy method numbers, which Lotus's funds manager sends. */
const ADD_BALANCE = 2;
const WITHDRAW_BALANCE = 3;

async function pushFromWallet(devnet: Devnet, from: FilAddress, method: number, params: unknown, value: bigint) {
  return cidJson(signedMessageCid(await mpoolPushMessage(devnet, unsentMessage(from, FilAddress.fromId(MARKET_ACTOR_ID), method, encodeCbor(params), value))));
}

export const filecoinMarketFunds = [
  // Sends `amount` from the wallet to the market's escrow for `address` (AddBalance).
  defineWriteMethod('Filecoin.MarketAddBalance', [filAddress('wallet'), filAddress('address'), tokenAmount('amount')], ({ devnet }, wallet, address, amt) =>
    pushFromWallet(devnet, wallet, ADD_BALANCE, address.bytes, amt),
  ),

  // Withdraws from `address`'s escrow to it (WithdrawBalance, sent from the wallet), if that much is not locked.
  defineWriteMethod('Filecoin.MarketWithdraw', [filAddress('wallet'), filAddress('address'), tokenAmount('amount')], async ({ devnet }, wallet, address, amt) => {
    const available = await devnet.untilFetched(() => {
      const state = devnet.stateAt(devnet.head.epoch);
      const market = state.getActor(MARKET_ACTOR_ID)?.market ?? EMPTY_MARKET_STATE;
      const id = resolveAddress(state, address)?.id;
      return id === undefined ? 0n : (market.escrow.get(id) ?? 0n) - (market.locked.get(id) ?? 0n);
    });
    if (amt > available) {
      throw new DevnetError(`insufficient funds for withdrawal of ${formatFil(amt)}: net available (${formatFil(available)}) = available (${formatFil(available)}) - reserved (0 FIL)`);
    }
    return pushFromWallet(devnet, wallet, WITHDRAW_BALANCE, [address.bytes, encodeBigInt(amt)], 0n);
  }),

  defineMethod('Filecoin.MarketGetReserved', [filAddress('address')], () => '0'),
];
