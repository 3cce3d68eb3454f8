// One actor, named by any address form: its kind, ID, addresses, balance, nonce and, for a
// contract, its bytecode size.
import { actorKind } from '../chain.js';
import { facts, fil, h, link, thousands } from '../dom.js';
import { batch, call } from '../rpc.js';

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
  const kind = actorKind(actor.Code['/']);
  const eth = ethAnswer!.result as string | undefined;
  const code = kind === 'evm' && eth ? await call<string>('eth_getCode', [eth, 'latest']) : undefined;
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
      ['Balance', fil(BigInt(actor.Balance))],
      ['Nonce', String(actor.Nonce)],
      ...(code !== undefined ? ([['Bytecode', `${thousands((code.length - 2) / 2)} bytes`]] as [string, string][]) : []),
      ['Code CID', h('code', { class: 'wrap' }, actor.Code['/'])],
    ]),
    kind === 'storageminer' ? h('p', {}, link(`#/miner/${idAnswer!.result}`, 'Its power, sectors and deals →')) : null,
  );
}
