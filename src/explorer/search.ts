// The search box: what a text names, as the page that shows it. Epochs, 0x addresses and
// hashes (of a transaction or a block), Filecoin addresses (t0–t4, f0–f4), and CIDs of a
// message, a block or a tipset.
import { call } from './rpc.js';

/** The location hash of the page for `text`, or undefined when nothing on the chain has that name. */
export async function searchTarget(text: string): Promise<string | undefined> {
  const q = text.trim();
  if (/^\d+$/.test(q)) return `#/tipset/${Number(q)}`;
  if (/^0x[0-9a-f]{40}$/i.test(q)) return `#/actor/${q.toLowerCase()}`;
  if (/^[ft][0-4]\w+$/i.test(q)) return `#/actor/${q.toLowerCase()}`;
  if (/^0x[0-9a-f]{64}$/i.test(q)) {
    if (await call('eth_getTransactionByHash', [q])) return `#/message/${q.toLowerCase()}`;
    const block = await call<{ number: string } | null>('eth_getBlockByHash', [q, false]);
    return block ? `#/tipset/${Number(block.number)}` : undefined;
  }
  if (/^b[a-z2-7]{20,}$/.test(q)) {
    const cid = { '/': q };
    if (await call('Filecoin.EthGetTransactionHashByCid', [cid]).catch(() => null)) return `#/message/${q}`;
    // A tipset key of one block, or a block.
    const tipset = await call<{ Height: number }>('Filecoin.ChainGetTipSet', [[cid]]).catch(() => undefined);
    if (tipset) return `#/tipset/${tipset.Height}`;
    const block = await call<{ Height: number }>('Filecoin.ChainGetBlock', [cid]).catch(() => undefined);
    return block ? `#/tipset/${block.Height}` : undefined;
  }
  return undefined;
}
