// Lotus's node-side payment channel API (node/impl/paych/paych.go over paychmgr): Filecoin.PaychGet,
// PaychFund, PaychGetWaitReady, PaychAvailableFunds, PaychAvailableFundsByFromTo, PaychList,
// PaychStatus, PaychAllocateLane, PaychNewPayment, PaychVoucherCreate, PaychVoucherCheckValid,
// PaychVoucherCheckSpendable, PaychVoucherAdd, PaychVoucherList, PaychVoucherSubmit, PaychSettle and
// PaychCollect, served as a node with EnablePaymentChannelManager on. The manager (devnet/paych/)
// is one per node, made on the first call with its settler; its messages go out as MpoolPushMessage
// sends them.
import type { FilAddress } from '../../common/address.js';
import type { CID } from '../../common/cbor.js';
import { DevnetError, MethodPanicError, PaychDisabledError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import { settleInboundChannels } from '../../devnet/paych/settler.js';
import { CHANNEL_NOT_TRACKED } from '../../devnet/paych/store.js';
import { PaychManager, voucherOf, type AvailableFunds, type FundsResult, type Voucher, type VoucherSpec } from '../../devnet/paych/manager.js';
import { ActorError } from '../../fevm/actors/runtime.js';
import { defineMethod, defineWriteMethod, type RpcContext, type RpcMethod } from '../define-method.js';
import { voucherJson, voucherValue } from '../actor-params.js';
import { addressJson, cidJson } from '../lotus-json.js';
import { base64Bytes, cid, filAddress, goFields, integer, tokenAmount, unsigned } from '../lotus-params.js';
import { invalid, parseObject, type Param } from '../params.js';
import { mpoolPushMessage } from './filecoin-mpool.js';

const managers = new WeakMap<Devnet, PaychManager>();

function managerOf(devnet: Devnet): PaychManager {
  let manager = managers.get(devnet);
  if (!manager) {
    manager = new PaychManager(devnet, (message) => mpoolPushMessage(devnet, message));
    settleInboundChannels(devnet, manager);
    managers.set(devnet, manager);
  }
  return manager;
}

/** The `sv` parameter: a paych.SignedVoucher in Lotus's JSON. */
const voucher: Param<Voucher> = {
  name: 'sv',
  parse: (v) => {
    const value = voucherValue(v, 'sv');
    try {
      return voucherOf(value);
    } catch (error) {
      if (error instanceof ActorError) throw invalid('sv', error.message);
      throw error;
    }
  },
};

/** api.PaychGetOpts {OffChain}. */
const getOpts: Param<{ offChain: boolean }> = {
  name: 'opts',
  parse: (v) => {
    if (v === null || v === undefined) return { offChain: false };
    const { OffChain } = goFields(parseObject('opts', v), ['OffChain']);
    if (OffChain !== undefined && OffChain !== null && typeof OffChain !== 'boolean') throw invalid('opts.OffChain', 'expected a boolean');
    return { offChain: OffChain === true };
  },
};

/** A wait sentinel: a CID, or null, which Go decodes as cid.Undef (go-cid's UnmarshalJSON) and no message has. */
const sentinel: Param<CID | undefined> = { name: 'sentinel', parse: (v) => (v === null ? undefined : cid('sentinel').parse(v)) };

const lane = (name: string): Param<bigint> => ({ name, parse: (v) => BigInt(unsigned(name).parse(v)) });

const epochField = (name: string, v: unknown): number => (v === undefined || v === null ? 0 : integer(name).parse(v));

/** []api.VoucherSpec {Amount, TimeLockMin, TimeLockMax, MinSettle, Extra}. */
const voucherSpecs: Param<Omit<VoucherSpec, 'lane'>[]> = {
  name: 'vouchers',
  parse: (v) => {
    // null is Go's nil slice; an empty list decodes too (PaychNewPayment then panics).
    if (v === null) return [];
    if (!Array.isArray(v)) throw invalid('vouchers', 'expected a list of voucher specs');
    return v.map((item, i) => {
      const at = `vouchers[${i}]`;
      const { Amount, TimeLockMin, TimeLockMax, MinSettle, Extra } = goFields(parseObject(at, item), ['Amount', 'TimeLockMin', 'TimeLockMax', 'MinSettle', 'Extra']);
      const spec: Omit<VoucherSpec, 'lane'> = {
        amount: tokenAmount(`${at}.Amount`).parse(Amount),
        timeLockMin: epochField(`${at}.TimeLockMin`, TimeLockMin),
        timeLockMax: epochField(`${at}.TimeLockMax`, TimeLockMax),
        minSettleHeight: epochField(`${at}.MinSettle`, MinSettle),
      };
      if (Extra === undefined || Extra === null) return spec;
      const { Actor, Method, Data } = goFields(parseObject(`${at}.Extra`, Extra), ['Actor', 'Method', 'Data']);
      return {
        ...spec,
        extra: { actor: filAddress(`${at}.Extra.Actor`).parse(Actor), method: unsigned(`${at}.Extra.Method`).parse(Method), data: base64Bytes(`${at}.Extra.Data`).parse(Data) },
      };
    });
  },
};

/** A Go address.Address that may be undefined ("<empty>"), and a cid.Cid that may be (null). */
const channelJson = (channel: FilAddress | undefined) => (channel ? addressJson(channel) : '<empty>');
const sentinelJson = (mcid: CID | undefined) => (mcid ? cidJson(mcid) : null);

/** api.ChannelInfo {Channel, WaitSentinel}: PaychGet's and PaychFund's answer. */
const channelInfoJson = (got: FundsResult) => ({ Channel: channelJson(got.channel), WaitSentinel: sentinelJson(got.waitSentinel) });

function availableFundsJson(funds: AvailableFunds) {
  return {
    Channel: funds.channel ? addressJson(funds.channel) : null,
    From: addressJson(funds.from),
    To: addressJson(funds.to),
    ConfirmedAmt: funds.confirmed.toString(),
    PendingAmt: funds.pending.toString(),
    NonReservedAmt: funds.nonReserved.toString(),
    PendingAvailableAmt: funds.pendingAvailable.toString(),
    PendingWaitSentinel: sentinelJson(funds.pendingWaitSentinel),
    QueuedAmt: funds.queued.toString(),
    VoucherReedeemedAmt: funds.voucherRedeemed.toString(),
  };
}

const paychFund = async ({ devnet }: RpcContext, from: FilAddress, to: FilAddress, amt: bigint) =>
  channelInfoJson(await managerOf(devnet).getPaych(from, to, amt, { reserve: false, offChain: false }));

export const filecoinPaych = [
  // Opens (or tops up) the channel from → to and reserves `amt` in it for vouchers.
  defineWriteMethod('Filecoin.PaychGet', [filAddress('from'), filAddress('to'), tokenAmount('amt'), getOpts], async ({ devnet }, from, to, amt, opts) =>
    channelInfoJson(await managerOf(devnet).getPaych(from, to, amt, { reserve: true, offChain: opts.offChain })),
  ),

  // Adds `amt` to the channel from → to (opening it if need be) without reserving it.
  defineWriteMethod('Filecoin.PaychFund', [filAddress('from'), filAddress('to'), tokenAmount('amt')], paychFund),

  defineMethod('Filecoin.PaychGetWaitReady', [sentinel], async ({ devnet }, sentinel) => addressJson(await managerOf(devnet).waitReady(sentinel))),

  defineMethod('Filecoin.PaychAvailableFunds', [filAddress('ch')], async ({ devnet }, ch) => availableFundsJson(await managerOf(devnet).availableFunds(ch))),

  defineMethod('Filecoin.PaychAvailableFundsByFromTo', [filAddress('from'), filAddress('to')], async ({ devnet }, from, to) =>
    availableFundsJson(await managerOf(devnet).availableFundsByFromTo(from, to)),
  ),

  defineMethod('Filecoin.PaychList', [], ({ devnet }) => managerOf(devnet).listChannels().map(addressJson)),

  defineMethod('Filecoin.PaychStatus', [filAddress('pch')], ({ devnet }, pch) => {
    const { control, direction } = managerOf(devnet).status(pch);
    return { ControlAddr: addressJson(control), Direction: direction };
  }),

  defineWriteMethod('Filecoin.PaychAllocateLane', [filAddress('ch')], async ({ devnet }, ch) => Number(await managerOf(devnet).allocateLane(ch))),

  // A channel from → to holding the last voucher's amount, a new lane, and a voucher on it per spec.
  defineWriteMethod('Filecoin.PaychNewPayment', [filAddress('from'), filAddress('to'), voucherSpecs], async ({ devnet }, from, to, specs) => {
    // Lotus reads the last spec's amount first (node/impl/paych/paych.go PaychNewPayment: vouchers[len(vouchers)-1]).
    if (specs.length === 0) throw new MethodPanicError('Filecoin.PaychNewPayment', 'runtime error: index out of range [-1]');
    const manager = managerOf(devnet);
    const got = await manager.getPaych(from, to, specs[specs.length - 1].amount, { reserve: true, offChain: false });
    // A channel just opened has no address yet: Lotus's AllocateLane then finds no channel.
    if (!got.channel) throw new DevnetError(CHANNEL_NOT_TRACKED);
    const channel = got.channel;
    const onLane = await manager.allocateLane(channel);
    const vouchers = [];
    for (const spec of specs) {
      const made = await manager.createVoucher(channel, { ...spec, lane: onLane });
      if (!made.voucher) throw new DevnetError(`Could not create voucher - shortfall of ${made.shortfall}`);
      vouchers.push(voucherJson(made.voucher.value));
    }
    return { Channel: addressJson(channel), WaitSentinel: sentinelJson(got.waitSentinel), Vouchers: vouchers };
  }),

  defineWriteMethod('Filecoin.PaychVoucherCreate', [filAddress('pch'), tokenAmount('amt'), lane('lane')], async ({ devnet }, pch, amt, onLane) => {
    const made = await managerOf(devnet).createVoucher(pch, { amount: amt, lane: onLane });
    return { Voucher: made.voucher ? voucherJson(made.voucher.value) : null, Shortfall: made.shortfall.toString() };
  }),

  defineWriteMethod('Filecoin.PaychVoucherCheckValid', [filAddress('ch'), voucher], async ({ devnet }, ch, sv) => {
    await managerOf(devnet).checkVoucherValid(ch, sv);
    return null;
  }),

  defineMethod('Filecoin.PaychVoucherCheckSpendable', [filAddress('ch'), voucher, base64Bytes('secret'), base64Bytes('proof')], ({ devnet }, ch, sv, secret, proof) =>
    managerOf(devnet).checkVoucherSpendable(ch, sv, secret, proof),
  ),

  defineWriteMethod('Filecoin.PaychVoucherAdd', [filAddress('ch'), voucher, base64Bytes('proof'), tokenAmount('minDelta')], async ({ devnet }, ch, sv, proof, minDelta) =>
    (await managerOf(devnet).addVoucherInbound(ch, sv, proof, minDelta)).toString(),
  ),

  defineMethod('Filecoin.PaychVoucherList', [filAddress('pch')], ({ devnet }, pch) => managerOf(devnet).listVouchers(pch).map((v) => voucherJson(v.value))),

  defineWriteMethod('Filecoin.PaychVoucherSubmit', [filAddress('ch'), voucher, base64Bytes('secret'), base64Bytes('proof')], async ({ devnet }, ch, sv, secret, proof) =>
    cidJson(await managerOf(devnet).submitVoucher(ch, sv, secret, proof)),
  ),

  defineWriteMethod('Filecoin.PaychSettle', [filAddress('addr')], async ({ devnet }, addr) => cidJson(await managerOf(devnet).settle(addr))),

  defineWriteMethod('Filecoin.PaychCollect', [filAddress('addr')], async ({ devnet }, addr) => cidJson(await managerOf(devnet).collect(addr))),
];

/** /rpc/v0's PaychGet (api/v0api): from, to and amount only, served as v1's PaychFund (v0api's WrapperV1Full). */
export const filecoinPaychV0: RpcMethod[] = [defineWriteMethod('Filecoin.PaychGet', [filAddress('from'), filAddress('to'), tokenAmount('amt')], paychFund)];

const PAYCH_NAMES: ReadonlySet<string> = new Set(filecoinPaych.map((m) => m.name));

/**
 * A voucher as go-jsonrpc decodes it into *paych.SignedVoucher: an object or null. Go fills a missing
 * field with its zero value (an empty voucher's ChannelAddr is "<empty>", address.Undef), which
 * `voucher` refuses: with the manager on, what it refuses past the object is refused by Lotus's manager.
 */
const decodedVoucher: Param<unknown> = { name: 'sv', parse: (v) => (v === null ? v : parseObject('sv', v)) };

/**
 * With the manager off (--no-paych-manager, Lotus's DisabledPaych): each Paych* method answers
 * ErrPaymentChannelDisabled once its parameters decode. Lotus's stub never looks at them, but
 * go-jsonrpc decodes them into the API's Go types before calling it, so a malformed one is refused
 * first, as with the manager on (node/impl/paych/paych.go DisabledPaych; api/api_full.go PaychAPI).
 */
export function withoutPaychManager(methods: RpcMethod[]): RpcMethod[] {
  return methods.map((m) =>
    PAYCH_NAMES.has(m.name)
      ? {
          name: m.name,
          params: m.params.map((p) => (p === voucher ? decodedVoucher : p)),
          handler: () => {
            throw new PaychDisabledError();
          },
        }
      : m,
  );
}
