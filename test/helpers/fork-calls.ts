// What the fork's end-to-end tests send to a node (the fork or its upstream) over HTTP, and other
// end-to-end suites with them: one JSON-RPC call whose error becomes a thrown Error naming the method,
// a dev account's mined transaction, a deal mined until active, and the address forms they use.
import assert from 'node:assert/strict';
import { JsonRpcProvider, Wallet, type TransactionRequest } from 'ethers';
import { DEV_ACCOUNTS, pollUntil } from './devnet-process.js';
import { rawRpc } from './raw-rpc.js';

/**
 * `method` on the node at `url`: its result, or a plain Error `<method>: <message>` (the tests match
 * that text, `Error:` prefix included, and compare it across nodes with answerOrError). `signal` aborts
 * the request, as a client that stops waiting does (fetch's TimeoutError of AbortSignal.timeout).
 */
export async function rpc(url: string, method: string, params: unknown[] = [], signal?: AbortSignal): Promise<any> {
  const { result, error } = await rawRpc(url, signal).rpc(method, ...params);
  if (error) throw new Error(`${method}: ${error.message}`);
  return result;
}

export const hex = (n: number) => `0x${n.toString(16)}`;

/** The masked ID address (0xff…) by which anvil_impersonateAccount takes an f1/f3 account named by its ID address (t0…). */
export const masked = (id: string) => `0xff${'0'.repeat(22)}${Number(id.slice(2)).toString(16).padStart(16, '0')}`;

/** The head epoch of the node at `url`. */
export const head = async (url: string): Promise<number> => Number(await rpc(url, 'eth_blockNumber'));

/** Mines the node at `url` up to `epoch` in one anvil_mine. */
export async function mineTo(url: string, epoch: number): Promise<void> {
  await rpc(url, 'anvil_mine', [hex(epoch - (await head(url)))]);
  assert.equal(await head(url), epoch);
}

/** A call's answer, or its error's message as `{ error }`, to compare what two nodes answer either way. */
export const answerOrError = (call: Promise<any>): Promise<any> => call.catch((error: Error) => ({ error: error.message }));

/** Mines `sealDelay` epochs at a time on the node at `url` until its storage provider has activated deal `dealId`; answers the market's deal. */
export function mineUntilActive(url: string, dealId: number, sealDelay: number): Promise<any> {
  return pollUntil(`deal ${dealId} to be active (StateMarketStorageDeal's SectorStartEpoch > 0)`, async () => {
    await rpc(url, 'anvil_mine', [hex(sealDelay)]);
    const deal = await rpc(url, 'Filecoin.StateMarketStorageDeal', [dealId, null]);
    return deal.State.SectorStartEpoch > 0 ? deal : undefined;
  });
}

/** A transaction from the first dev account, mined; its hash and block number. */
export async function sendFromDev(url: string, tx: TransactionRequest): Promise<{ hash: string; block: number }> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const receipt = await (await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction(tx)).wait();
    return { hash: receipt!.hash, block: receipt!.blockNumber };
  } finally {
    provider.destroy();
  }
}
