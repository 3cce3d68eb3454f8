// Escrow: AddBalance, WithdrawBalance and GetBalance (builtin-actors market add_balance,
// withdraw_balance, get_balance, escrow_address).
import { FilAddress } from '../../../common/address.js';
import { encodeBigInt } from '../../../common/cbor.js';
import { formatFil } from '../../../common/units.js';
import { ExitCode } from '../../exit-code.js';
import { METHOD_SEND } from '../../message.js';
import { resolveAddress } from '../lifecycle.js';
import { address, bigInt, tuple } from '../params.js';
import { ActorError, type ActorRuntime } from '../runtime.js';
import { requireCallerIn, sendResult } from '../shared.js';
import { marketState, openLedger, saveLedger } from './market-runtime.js';

/** The miner's ControlAddresses (internal method 2): [owner, worker, control_addresses]. */
const MINER_CONTROL_ADDRESSES = 2;

/** Where an address's escrow is held, who receives its withdrawals, and who may withdraw. */
interface EscrowAddress {
  nominal: number;
  recipient: FilAddress;
  approved: number[];
}

/**
 * A miner's escrow belongs to the miner, is withdrawn by its owner or worker and paid to its owner;
 * anyone else's is its own.
 */
async function escrowAddress(rt: ActorRuntime, addr: FilAddress): Promise<EscrowAddress> {
  const actor = resolveAddress(rt.state, addr);
  if (!actor) throw new ActorError(ExitCode.ErrIllegalArgument, `failed to resolve address ${addr.toString('f')}`);
  if (actor.kind !== 'storageminer') return { nominal: actor.id, recipient: FilAddress.fromId(actor.id), approved: [actor.id] };
  const reply = sendResult(await rt.send(FilAddress.fromId(actor.id), MINER_CONTROL_ADDRESSES));
  if (reply === undefined) throw new ActorError(ExitCode.ErrAssertionFailed, 'return expected');
  const [owner, worker] = tuple(reply, 3, 'GetControlAddressesReturn');
  const ownerAddress = address(owner, 'owner');
  const approved = [ownerAddress, address(worker, 'worker')].map((a) => resolveAddress(rt.state, a)?.id ?? -1);
  return { nominal: actor.id, recipient: ownerAddress, approved };
}

export async function addBalance(rt: ActorRuntime, params: unknown): Promise<undefined> {
  const who = address(params, 'AddBalanceParams');
  if (rt.valueReceived <= 0n) {
    throw new ActorError(ExitCode.ErrIllegalArgument, `balance to add must be greater than zero was: ${formatFil(rt.valueReceived)}`);
  }
  const { nominal } = await escrowAddress(rt, who);
  const ledger = openLedger(rt);
  ledger.addEscrow(nominal, rt.valueReceived);
  saveLedger(rt, ledger);
  return undefined;
}

export async function withdrawBalance(rt: ActorRuntime, params: unknown): Promise<Uint8Array> {
  const [who, amountValue] = tuple(params, 2, 'WithdrawBalanceParams');
  const amount = bigInt(amountValue, 'amount');
  if (amount < 0n) throw new ActorError(ExitCode.ErrIllegalArgument, `negative amount: ${formatFil(amount)}`);
  const escrow = await escrowAddress(rt, address(who, 'provider_or_client'));
  requireCallerIn(rt, escrow.approved);
  const ledger = openLedger(rt);
  const withdrawn = ledger.withdraw(escrow.nominal, amount);
  saveLedger(rt, ledger);
  sendResult(await rt.send(escrow.recipient, METHOD_SEND, undefined, { value: withdrawn }));
  return encodeBigInt(withdrawn);
}

export function getBalance(rt: ActorRuntime, params: unknown): unknown[] {
  const account = address(params, 'GetBalanceParams');
  const actor = resolveAddress(rt.state, account);
  if (!actor) throw new ActorError(ExitCode.ErrIllegalArgument, `failed to resolve address ${account.toString('f')}`);
  const { escrow, locked } = marketState(rt);
  return [encodeBigInt(escrow.get(actor.id) ?? 0n), encodeBigInt(locked.get(actor.id) ?? 0n)];
}
