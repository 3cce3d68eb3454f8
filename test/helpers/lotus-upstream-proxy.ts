// A loopback proxy that makes an fvm-devnet upstream answer as a Lotus node where the two differ for
// a fork. Lotus executes a tipset's messages when the next tipset is built on it (the devnet as it
// mines it), so its StateSearchMsg names the tipset after the one that included a message, after
// any null rounds (Lotus chain/stmgr/searchwait.go: the tipset whose parent receipts hold it), and
// its State* methods read a tipset's parent state, which a fork expects of any upstream not named
// 'fvm-devnet'. The devnet's state at the tipset after an empty one equals Lotus's parent state of
// that tipset, so a test keeps the tipset after its fork epoch without messages.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CID, cidOf, encodeCbor } from '../../src/common/cbor.js';

/** The network name the proxy answers: any name but 'fvm-devnet' makes the fork read the upstream as Lotus. */
export const LOTUS_NETWORK_NAME = 'calibrationnet';

interface Request {
  jsonrpc: '2.0';
  id: unknown;
  method: string;
  params?: unknown[];
}

interface Response {
  jsonrpc: '2.0';
  id: unknown;
  result?: any;
  error?: unknown;
}

async function forward(target: string, request: Request): Promise<Response> {
  const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  return (await res.json()) as Response;
}

/**
 * StateSearchMsg as a Lotus node with the chain index answers it (every one serving eth_*): the
 * tipset that executed the message, the first one after the tipset that included it. The index
 * finds it whatever tipset the search starts from, once the head is past that tipset's height;
 * before then only a search back from a tipset at or after it does.
 */
async function lotusSearch(target: string, request: Request): Promise<Response> {
  const found = await forward(target, request);
  if (!found.result) return found;
  const [from] = request.params as [unknown];
  const call = async (method: string, params: unknown[]) => (await forward(target, { jsonrpc: '2.0', id: 0, method, params })).result;
  const head = await call('Filecoin.ChainHead', []);
  const included: number = found.result.Height;
  // Included at the head: executed by a tipset not built yet.
  if (head.Height <= included) return { ...found, result: null };
  const executed = await call('Filecoin.ChainGetTipSetAfterHeight', [included + 1, null]);
  const searchedFrom = from ? await call('Filecoin.ChainGetTipSet', [from]) : head;
  const indexed = head.Height > included + 1;
  if (!indexed && executed.Height > searchedFrom.Height) return { ...found, result: null };
  return { ...found, result: { ...found.result, TipSet: executed.Cids, Height: executed.Height } };
}

/** trace_filter as Lotus answers it with EthTraceFilterMaxResults set to `max`: a larger Count, or more results without one, refused. */
async function limitedTraceFilter(target: string, request: Request, max: number): Promise<Response> {
  const refused = (message: string): Response => ({ jsonrpc: '2.0', id: request.id, error: { code: 1, message } });
  const [filter] = (request.params ?? []) as [{ count?: string } | undefined];
  const count = filter?.count === undefined ? undefined : Number(filter.count);
  if (count !== undefined && count > max) return refused(`invalid response count, requested ${count}, maximum supported is ${max}`);
  const found = await forward(target, request);
  if (count === undefined && Array.isArray(found.result) && found.result.length > max) {
    return refused(`too many results, maximum supported is ${max}, try paginating requests with After and Count`);
  }
  return found;
}

export interface LotusProxyOptions {
  /** The upstream's Fevm.EthTraceFilterMaxResults (Lotus's default: 500, as the devnet's). */
  traceFilterMaxResults?: number;
  /**
   * Actor code CIDs by manifest name (calibnet's bundle: helpers/calibnet-codes.ts) to answer instead of
   * the devnet's own, as a node of a network running that bundle: every actor's Code, the system actor's
   * manifest (a block of these entries, served by ChainReadObj), StateActorCodeCIDs and
   * StateActorManifestCID of the devnet's network version (and, for the version before it, a bundle of
   * CIDs no devnet makes).
   */
  codes?: Record<string, string>;
  /** The root the init actor's State names for its AddressMap, as a Lotus node names one (an fvm-devnet names none). */
  addressMap?: string;
}

/** The devnet's network version, whose bundle `codes` stands for. */
const NETWORK_VERSION = 28;

/** The manifests made so far, by their codes (a proxy's options.codes): one each, not one per request. */
const manifests = new WeakMap<Record<string, string>, { cid: string; blocks: Map<string, string> }>();

/** The actors manifest of `codes`: its CID and its two blocks (base64, as ChainReadObj answers) by CID. */
function manifestOf(codes: Record<string, string>): { cid: string; blocks: Map<string, string> } {
  let made = manifests.get(codes);
  if (!made) {
    const data = encodeCbor(Object.entries(codes).map(([name, code]) => [name, CID.parse(code)]));
    const manifest = encodeCbor([1, cidOf(data)]);
    made = { cid: cidOf(manifest).toString(), blocks: new Map([manifest, data].map((bytes) => [cidOf(bytes).toString(), Buffer.from(bytes).toString('base64')])) };
    manifests.set(codes, made);
  }
  return made;
}

/** The previous bundles made so far, by their codes: one each, so that manifestOf (keyed on the object) makes its manifest once, not once per request. */
const previousBundles = new WeakMap<Record<string, string>, Record<string, string>>();

/**
 * The bundle of the version before NETWORK_VERSION, as a node answers it: a CID per name that no devnet
 * makes, so that a fork passing the question on is told from one answering from its own table.
 */
function previousBundleOf(codes: Record<string, string>): Record<string, string> {
  let bundle = previousBundles.get(codes);
  if (!bundle) {
    bundle = Object.fromEntries(Object.keys(codes).map((name) => [name, cidOf(encodeCbor(`the bundle before v18: ${name}`)).toString()]));
    previousBundles.set(codes, bundle);
  }
  return bundle;
}

/** The kind an fvm-devnet's code CID names: its identity digest reads fil/<actors version>/<kind>. */
const devnetKind = (code: string): string => new TextDecoder().decode(CID.parse(code).multihash.digest).split('/').pop()!;

/** The answers that name code CIDs, with `codes` for the devnet's; undefined for any other method. */
async function withCodes(target: string, request: Request, codes: Record<string, string>): Promise<Response | undefined> {
  const manifest = manifestOf(codes);
  const result = (value: unknown): Response => ({ jsonrpc: '2.0', id: request.id, result: value });
  const [first] = (request.params ?? []) as [unknown];
  if (request.method === 'Filecoin.ChainReadObj' && manifest.blocks.has((first as { '/': string })['/'])) return result(manifest.blocks.get((first as { '/': string })['/']));
  const bundle = first === NETWORK_VERSION ? codes : first === NETWORK_VERSION - 1 ? previousBundleOf(codes) : undefined;
  if (request.method === 'Filecoin.StateActorManifestCID' && bundle) return result({ '/': manifestOf(bundle).cid });
  if (request.method === 'Filecoin.StateActorCodeCIDs' && bundle) return result(Object.fromEntries(Object.entries(bundle).map(([name, code]) => [name, { '/': code }])));
  if (request.method !== 'Filecoin.StateGetActor' && request.method !== 'Filecoin.StateReadState') return undefined;
  const found = await forward(target, request);
  if (!found.result) return found;
  const answer = { ...found.result, Code: { '/': codes[devnetKind(found.result.Code['/'])] } };
  if (answer.State?.BuiltinActors) answer.State = { ...answer.State, BuiltinActors: { '/': manifest.cid } };
  return { ...found, result: answer };
}

/** A StateReadState answer with `root` as its AddressMap, if it is the init actor's. */
const withAddressMap = (found: Response, root: string): Response =>
  found.result?.State && 'AddressMap' in found.result.State ? { ...found, result: { ...found.result, State: { ...found.result.State, AddressMap: { '/': root } } } } : found;

async function answer(target: string, request: Request, options: LotusProxyOptions): Promise<Response> {
  const found = (options.codes && (await withCodes(target, request, options.codes))) || (await lotusAnswer(target, request, options));
  return options.addressMap && request.method === 'Filecoin.StateReadState' ? withAddressMap(found, options.addressMap) : found;
}

function lotusAnswer(target: string, request: Request, options: LotusProxyOptions): Promise<Response> {
  if (request.method === 'Filecoin.StateNetworkName') return Promise.resolve({ jsonrpc: '2.0', id: request.id, result: LOTUS_NETWORK_NAME });
  // Nor does its Version say fvm-devnet (a fork of an fvm-devnet is known by it).
  if (request.method === 'Filecoin.Version') return Promise.resolve({ jsonrpc: '2.0', id: request.id, result: { Version: '1.36.2+calibnet', APIVersion: 0x20000, BlockDelay: 30 } });
  if (request.method === 'Filecoin.StateSearchMsg' && request.params?.length === 4) return lotusSearch(target, request);
  if (request.method === 'trace_filter' && options.traceFilterMaxResults !== undefined) return limitedTraceFilter(target, request, options.traceFilterMaxResults);
  return forward(target, request);
}

/** A proxy to the fvm-devnet at `target` that answers as Lotus; `close` stops it. */
export async function lotusUpstreamProxy(target: string, options: LotusProxyOptions = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Request | Request[];
      Promise.all((Array.isArray(body) ? body : [body]).map((request) => answer(target, request, options))).then(
        (answers) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(body) ? answers : answers[0])),
        () => res.destroy(), // the upstream is gone: so is the answer, as from a dead node
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
