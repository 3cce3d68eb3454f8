// One actor, named by any address form: its kind, ID, addresses, balance, nonce and, for a
// contract, its bytecode size and the storage slots its latest transactions read and wrote.
import { actorKind } from '../chain.js';
import { facts, fil, h, link, short, table, thousands } from '../dom.js';
import { forkPoint, startedWithFork, type ForkPoint } from '../fork.js';
import { batch, batchResults, call } from '../rpc.js';

interface LotusActor {
  Code: { '/': string };
  Balance: string;
  Nonce: number;
  DelegatedAddress?: string | null;
}

export async function actorView(address: string): Promise<HTMLElement> {
  const filAddress = address.startsWith('0x') ? await call<string>('Filecoin.EthAddressToFilecoinAddress', [address]) : address;
  const [actorAnswer, idAnswer, ethAnswer, robustAnswer] = await batch([
    ['Filecoin.StateGetActor', [filAddress, null]],
    ['Filecoin.StateLookupID', [filAddress, null]],
    ['Filecoin.FilecoinAddressToEthAddress', [filAddress, null]],
    ['Filecoin.StateLookupRobustAddress', [filAddress, null]],
  ]);
  const actor = actorAnswer!.result as LotusActor | undefined;
  if (!actor) return h('div', {}, h('h1', {}, 'Actor'), h('p', {}, `No actor at ${address} on this chain`, actorAnswer!.error ? ` (${actorAnswer!.error.message})` : '', '.'));
  const kind = await actorKind(actor.Code['/']);
  const eth = ethAnswer!.result as string | undefined;
  const code = kind === 'evm' && eth ? await call<string>('eth_getCode', [eth, 'latest']) : undefined;
  const fork = await forkPoint();
  return h(
    'div',
    { class: 'actor' },
    h('h1', {}, `Actor ${idAnswer!.result ?? filAddress}`),
    facts([
      ['Kind', h('strong', {}, kind)],
      ['ID address', idAnswer!.result ?? '—'],
      ['Robust address', robustAnswer!.result ?? '—'],
      ...(actor.DelegatedAddress ? ([['Delegated address', actor.DelegatedAddress]] as [string, string][]) : []),
      ['Ethereum address', eth ? h('code', {}, eth) : '— (no 0x form)'],
      ['Balance', `${fil(BigInt(actor.Balance))} (${BigInt(actor.Balance).toLocaleString('en-US')} attoFIL)`],
      ['Nonce', String(actor.Nonce)],
      ...(code !== undefined ? ([['Bytecode', `${thousands((code.length - 2) / 2)} bytes`]] as [string, string][]) : []),
      ['Code CID', h('code', { class: 'wrap' }, actor.Code['/'])],
      ...(fork && eth ? ([['Origin', await origin(eth, fork)]] as [string, HTMLElement][]) : []),
    ]),
    kind === 'storageminer' ? h('p', {}, link(`#/miner/${idAnswer!.result}`, 'Its power, sectors and deals →')) : null,
    kind === 'evm' && eth ? await storageSection(eth) : null,
  );
}

/** On a forked chain: whether the actor came from the upstream or was created here. */
async function origin(eth: string, fork: ForkPoint): Promise<HTMLElement> {
  if (await startedWithFork(eth, fork)) return h('span', {}, h('span', { class: 'badge fork' }, 'forked'), ` from ${fork.upstream}: the fork started with it at epoch ${thousands(fork.epoch)}`);
  return h('span', {}, `created on this chain after the fork at epoch ${thousands(fork.epoch)}`);
}

/** How many of a contract's latest transactions the storage section replays (two traces each). */
const TRACED_TRANSACTIONS = 10;

type Prestate = Record<string, { storage?: Record<string, string> }>;

/**
 * The slots the contract's latest transactions (sent to it or creating it: ots_searchTransactionsBefore)
 * read and wrote, from their replays: prestateTracer lists the slots a transaction touched with
 * their values before it, and in diffMode the slots it changed. Calls reaching the contract from
 * other contracts are not searched.
 */
async function storageSection(eth: string): Promise<HTMLElement[]> {
  const { txs } = await call<{ txs: { hash: string; blockNumber: string }[] }>('ots_searchTransactionsBefore', [eth, 0, TRACED_TRANSACTIONS]);
  const heading = h('h2', {}, 'Storage slots');
  if (txs.length === 0) return [heading, h('p', { class: 'muted' }, 'No transaction has been sent to this contract.')];
  const traces = await batch<any>(
    txs.flatMap((tx) => [
      ['debug_traceTransaction', [tx.hash, { tracer: 'prestateTracer' }]],
      ['debug_traceTransaction', [tx.hash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }]],
    ]),
  );
  const key = eth.toLowerCase();
  const access = new Map<string, { read: string[]; wrote: string[] }>();
  const note = (slot: string, hash: string, how: 'read' | 'wrote') => {
    const entry = access.get(slot) ?? { read: [], wrote: [] };
    if (!entry[how].includes(hash)) entry[how].push(hash);
    access.set(slot, entry);
  };
  txs.forEach((tx, i) => {
    const touched = traces[i * 2]?.result as Prestate | undefined;
    const diff = traces[i * 2 + 1]?.result as { pre: Prestate; post: Prestate } | undefined;
    const wrote = new Set([...Object.keys(diff?.pre[key]?.storage ?? {}), ...Object.keys(diff?.post[key]?.storage ?? {})]);
    for (const slot of wrote) note(slot, tx.hash, 'wrote');
    for (const slot of Object.keys(touched?.[key]?.storage ?? {})) if (!wrote.has(slot)) note(slot, tx.hash, 'read');
  });
  const slots = [...access.keys()].sort();
  const values = await batchResults<string>(slots.map((slot) => ['eth_getStorageAt', [eth, slot, 'latest']]));
  const txLinks = (hashes: string[]) => (hashes.length ? hashes.map((hash, i) => [i ? ', ' : '', link(`#/message/${hash}`, short(hash))]) : '—');
  return [
    heading,
    h('p', { class: 'muted' }, `Read and written by its latest ${txs.length} transaction${txs.length === 1 ? '' : 's'} (replayed with debug_traceTransaction's prestateTracer).`),
    slots.length
      ? table(
          ['Slot', 'Value now', 'Written by', 'Read by'],
          slots.map((slot, i) => [h('code', { class: 'wrap' }, slot), h('code', { class: 'wrap' }, values[i]!), txLinks(access.get(slot)!.wrote), txLinks(access.get(slot)!.read)]),
          'storage',
        )
      : h('p', { class: 'muted' }, 'They touched no storage slot.'),
  ];
}
