// Load: 32 clients send 300 transactions each (9 600), at once, each from its own account with the
// nonces it chose and signed before the clock starts, in JSON-RPC batches of 10: ETH transfers over
// HTTP and WebSocket, contract calls that emit a log over WebSocket, native f1 messages
// (Filecoin.MpoolPush) over HTTP and WebSocket, and f1 deal clients that fund their market escrow with their own message and propose
// deals they signed themselves, which the storage providers publish and seal. Meanwhile readers
// check what the node answers and subscribers follow the contract's logs and new heads. Then: every
// transaction is mined exactly once, each sender's nonces are 0..299 with no gap, every deal is
// active, each subscriber saw every log exactly once and every head once, in order, as the chain has
// it, and no read failed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HDNodeWallet, Transaction, getCreateAddress } from 'ethers';
import WebSocket from 'ws';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { NativeWallet } from '../../src/devnet/wallet.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { proposalValue } from '../../src/fevm/actors/market/deal-proposal.js';
import type { Message } from '../../src/fevm/message.js';
import { CHAIN_ID, RECIPIENT } from '../helpers/dev-wallet.js';
import { DEV_MNEMONIC, pollUntil, startDevnet } from '../helpers/devnet-process.js';
import { nativeKey } from '../helpers/hostile.js';

const PER_CLIENT = 300;
/** A client sends its transactions in JSON-RPC batches of this many (consecutive nonces). */
const BATCH = 10;
/** The clients by kind: how many of each, and over which transport they send. */
const HTTP_TRANSFERS = 8;
const WS_TRANSFERS = 4;
const WS_CALLS = 8;
const HTTP_NATIVES = 4;
const WS_NATIVES = 4;
const DEAL_CLIENTS = 4;
const ETH_CLIENTS = HTTP_TRANSFERS + WS_TRANSFERS + WS_CALLS;
const NATIVE_CLIENTS = HTTP_NATIVES + WS_NATIVES + DEAL_CLIENTS;
/** A deal client proposes a deal after these many of its messages. */
const DEALS_AFTER = [100, 200];
const SUBSCRIBERS = 4;
const READERS = 4;

/** Runtime: LOG1(topic 1) of the calldata; the initcode returns it. */
const EMITTER_INITCODE = '0x600d600c600039600d6000f3' + '3660006000376001366000a100';
/** Gas for a contract call or deployment (FVM gas). */
const CALL_GAS = 100_000_000;
const FEE = { maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 200_000n };
const MARKET = FilAddress.fromId(5);
const MARKET_ADD_BALANCE = 2;
const ESCROW = 10n ** 18n;
const PRICE_PER_EPOCH = 1_000_000n;
const DEAL_DURATION = 518_400;

interface RpcAnswer {
  result?: any;
  error?: { code: number; message: string };
}

interface Request {
  method: string;
  params: unknown[];
}

interface Caller {
  call(method: string, params?: unknown[]): Promise<any>;
  /** Sends the requests as one JSON-RPC batch; the results in order, or the first error. */
  batch(requests: Request[]): Promise<unknown[]>;
  close(): void;
}

/** `call` and `batch` over `post`, which sends one JSON-RPC body and answers what came back. */
function caller(post: (body: object) => Promise<any>, close: () => void): Caller {
  let nextId = 0;
  return {
    async call(method, params = []) {
      const answer: RpcAnswer = await post({ jsonrpc: '2.0', id: ++nextId, method, params });
      if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
      return answer.result;
    },
    async batch(requests) {
      const ids = requests.map(() => ++nextId);
      const answers: (RpcAnswer & { id: number })[] = await post(requests.map((r, i) => ({ jsonrpc: '2.0', id: ids[i], ...r })));
      const byId = new Map(answers.map((a) => [a.id, a]));
      return ids.map((id, i) => {
        const answer = byId.get(id);
        if (!answer || answer.error) throw new Error(`${requests[i]!.method} in a batch: ${answer?.error?.message ?? 'no answer'}`);
        return answer.result;
      });
    },
    close,
  };
}

function httpClient(url: string): Caller {
  const post = async (body: object) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  return caller(post, () => undefined);
}

/** A JSON-RPC client over one WebSocket: requests by id, and subscription notifications to `onNotify`. */
async function wsClient(url: string, onNotify: (subscription: string, result: any) => void = () => undefined): Promise<Caller> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  // Answers by the id of the request (of a batch: its first request).
  const waiting = new Map<number, (answer: unknown) => void>();
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString());
    if (message.method === 'eth_subscription') onNotify(message.params.subscription, message.params.result);
    else waiting.get(Array.isArray(message) ? Math.min(...message.map((m) => m.id)) : message.id)?.(message);
  });
  const post = (body: object) =>
    new Promise((resolve, reject) => {
      const id = Array.isArray(body) ? body[0].id : (body as { id: number }).id;
      waiting.set(id, (answer) => {
        waiting.delete(id);
        resolve(answer);
      });
      ws.send(JSON.stringify(body), (err) => err && reject(err));
    });
  return caller(post, () => ws.close());
}

interface EthFields {
  nonce: number;
  to?: string;
  value?: bigint;
  data?: string;
  gasLimit?: number;
}

/** A signed EIP-1559 transaction and its hash (the synchronous signer: ~2 ms each instead of ~3). */
function signEth(wallet: HDNodeWallet, fields: EthFields): { raw: string; hash: string } {
  const tx = Transaction.from({ type: 2, chainId: CHAIN_ID, ...FEE, ...fields });
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  return { raw: tx.serialized, hash: tx.hash! };
}

/** A native message from `from` with `nonce`; by default 1 attoFIL to RECIPIENT. */
function nativeMessage(from: FilAddress, nonce: number, fields: Partial<Message> = {}): Message {
  return {
    version: 0,
    to: FilAddress.fromEthAddress(Buffer.from(RECIPIENT.slice(2), 'hex')),
    from,
    nonce,
    value: 1n,
    gasLimit: 30_000_000,
    gasFeeCap: 10n ** 9n,
    gasPremium: 200_000n,
    method: 0,
    params: new Uint8Array(),
    ...fields,
  };
}

/** The masked-ID Ethereum address of `t0…`, as eth blocks show a native sender. */
function maskedOf(id: string): string {
  return '0xff' + BigInt(id.slice(2)).toString(16).padStart(38, '0');
}

/** One sending client: its requests, made before the clock starts, in nonce order, and what each answers. */
interface Client {
  name: string;
  transport: 'http' | 'ws';
  requests: (Request & { answer: unknown })[];
  /** For a deal client: its address, and how it proposes a deal (signed when it is made: its start epoch follows the head). */
  address?: string;
  proposeDeal?: (caller: Caller) => Promise<number>;
}

describe('load', () => {
  test(`32 clients × ${PER_CLIENT} transactions (transfers, contract calls, f1 messages, deals) over HTTP and WebSocket, with readers and subscribers`, { timeout: 600_000 }, async (t) => {
    const natives = Array.from({ length: NATIVE_CLIENTS }, (_, i) => nativeKey(40 + i));
    const node = await startDevnet(['--accounts', String(ETH_CLIENTS + 1), ...natives.flatMap((n) => ['--fund', `${n.address.toString()}=1000`])]);
    t.after(() => node.stop());
    const http = httpClient(node.url);
    // A line per request would only cost time here.
    await http.call('anvil_setLoggingEnabled', [false]);
    const wallets = Array.from({ length: ETH_CLIENTS + 1 }, (_, i) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`));
    const deployer = wallets[ETH_CLIENTS]!;
    await http.call('eth_sendRawTransaction', [signEth(deployer, { nonce: 0, data: EMITTER_INITCODE, gasLimit: CALL_GAS }).raw]);
    const emitter = getCreateAddress({ from: deployer.address, nonce: 0 }).toLowerCase();
    const providers: string[] = await http.call('Filecoin.StateListMiners', [null]);

    // Every request signed before the clock starts.
    let started = performance.now();
    const cpu = process.cpuUsage();
    const ethHashes = new Set<string>();
    const eth = (wallet: HDNodeWallet, fields: (nonce: number) => Omit<EthFields, 'nonce'>) =>
      Array.from({ length: PER_CLIENT }, (_, nonce) => {
        const { raw, hash } = signEth(wallet, { nonce, ...fields(nonce) });
        ethHashes.add(hash);
        return { method: 'eth_sendRawTransaction', params: [raw], answer: hash };
      });
    const transfer = () => ({ to: RECIPIENT, value: 1n, gasLimit: 10_000_000 });
    const clients: Client[] = [
      ...wallets.slice(0, HTTP_TRANSFERS).map((w, i): Client => ({ name: `http transfers ${i}`, transport: 'http', requests: eth(w, transfer) })),
      ...wallets.slice(HTTP_TRANSFERS, HTTP_TRANSFERS + WS_TRANSFERS).map((w, i): Client => ({ name: `ws transfers ${i}`, transport: 'ws', requests: eth(w, transfer) })),
      ...wallets.slice(HTTP_TRANSFERS + WS_TRANSFERS, ETH_CLIENTS).map(
        (w, c): Client => ({
          name: `ws calls ${c}`,
          transport: 'ws',
          // Each call logs its own data.
          requests: eth(w, (nonce) => ({ to: emitter, data: '0x' + (c * 1000 + nonce).toString(16).padStart(64, '0'), gasLimit: CALL_GAS })),
        }),
      ),
    ];
    natives.forEach((native, i) => {
      const deals = i >= HTTP_NATIVES + WS_NATIVES;
      const requests = Array.from({ length: PER_CLIENT }, (_, nonce) => {
        // A deal client's first message funds its escrow in the market.
        const fields = deals && nonce === 0 ? { to: MARKET, method: MARKET_ADD_BALANCE, params: encodeCbor(native.address.bytes), value: ESCROW } : {};
        const signed = native.sign(nativeMessage(native.address, nonce, fields));
        return { method: 'Filecoin.MpoolPush', params: [signed], answer: signed.CID };
      });
      clients.push({
        name: `${deals ? 'deal client' : 'natives'} ${i}`,
        transport: i < HTTP_NATIVES || deals ? 'http' : 'ws',
        requests,
        ...(deals ? { address: native.address.toString(), proposeDeal: dealProposer(native.address, 40 + i, providers[i % providers.length]!) } : {}),
      });
    });
    const signing = `${Math.round(performance.now() - started)} ms (CPU ${Math.round(process.cpuUsage(cpu).user / 1000)} ms)`;
    assert.equal(clients.length, 32);

    // Subscribers: each counts every log it is sent (by transaction and data: Lotus numbers every log a
    // subscription sends 0, so logIndex tells none apart) and lists the heads.
    const seen = Array.from({ length: SUBSCRIBERS }, () => ({ logs: new Map<string, number>(), heads: [] as { number: number; hash: string }[] }));
    const subscribers = await Promise.all(
      seen.map(async ({ logs, heads }) => {
        const ids: Record<string, 'logs' | 'heads'> = {};
        const client = await wsClient(node.wsUrl, (subscription, result) => {
          if (ids[subscription] === 'heads') heads.push({ number: Number(result.number), hash: result.hash });
          else {
            const key = `${result.transactionHash}:${result.data}`;
            logs.set(key, (logs.get(key) ?? 0) + 1);
          }
        });
        ids[await client.call('eth_subscribe', ['logs', { address: emitter }])] = 'logs';
        ids[await client.call('eth_subscribe', ['newHeads'])] = 'heads';
        return client;
      }),
    );
    const subscribedAt = Number(await http.call('eth_blockNumber'));

    // Readers, half over WebSocket: until the senders are done, every answer must be there and consistent.
    let sending = true;
    let reads = 0;
    const readers = Array.from({ length: READERS }, async (_, r) => {
      const reader = r % 2 ? await wsClient(node.wsUrl) : http;
      const watched = wallets[r]!.address;
      let lastHead = 0;
      let lastBalance = 0n;
      let lastCount = 0;
      while (sending) {
        const head = Number(await reader.call('eth_blockNumber'));
        assert.ok(head >= lastHead, `reader ${r}: the head went back from ${lastHead} to ${head}`);
        const balance = BigInt(await reader.call('eth_getBalance', [RECIPIENT, '0x' + head.toString(16)]));
        assert.ok(balance >= lastBalance, `reader ${r}: the recipient's balance went down`);
        assert.equal(await reader.call('eth_call', [{ to: emitter, data: '0x01' }, 'latest']), '0x');
        const count = Number(await reader.call('eth_getTransactionCount', [watched, 'latest']));
        assert.ok(count >= lastCount && count <= PER_CLIENT, `reader ${r}: nonce of ${watched} ${count} after ${lastCount}`);
        const tipset = await reader.call('Filecoin.ChainHead');
        assert.ok(tipset.Height >= head, `reader ${r}: ChainHead ${tipset.Height} behind eth_blockNumber ${head}`);
        [lastHead, lastBalance, lastCount] = [head, balance, count];
        reads += 5;
      }
      reader.close();
    });

    started = performance.now();
    const deals: { dealId: number; client: string }[] = [];
    const sends = Promise.all(
      clients.map(async (client) => {
        const caller = client.transport === 'ws' ? await wsClient(node.wsUrl) : http;
        for (let i = 0; i < PER_CLIENT; i += BATCH) {
          if (client.proposeDeal && DEALS_AFTER.includes(i)) deals.push({ dealId: await client.proposeDeal(caller), client: client.address! });
          const requests = client.requests.slice(i, i + BATCH);
          const answers = await caller.batch(requests).catch((err: Error) => {
            throw new Error(`${client.name}, nonces ${i}..: ${err.message}`);
          });
          assert.deepEqual(answers, requests.map((r) => r.answer), `${client.name}, nonces ${i}..`);
        }
        caller.close();
      }),
    );
    await sends.finally(() => (sending = false));
    t.diagnostic(`signing ${signing}, sending ${Math.round(performance.now() - started)} ms`);
    await Promise.all(readers);

    // Every deal is published once and sealed (the providers' agents work as tipsets come).
    started = performance.now();
    assert.equal(new Set(deals.map((d) => d.dealId)).size, DEAL_CLIENTS * DEALS_AFTER.length, `deal ids ${deals.map((d) => d.dealId).join(', ')}`);
    for (const { dealId, client } of deals) {
      const deal = await pollUntil(`deal ${dealId} to be sealed`, async () => {
        const deal = await http.call('Filecoin.StateMarketStorageDeal', [dealId, null]);
        return deal.State.SectorStartEpoch > 0 ? deal : undefined;
      });
      assert.equal(deal.Proposal.Client, await http.call('Filecoin.StateLookupID', [client, null]), `deal ${dealId}: its client`);
    }

    // Every block, read back: which sender used which nonce, and the hash of each height.
    const head = Number(await http.call('eth_blockNumber'));
    const nonces = new Map<string, number[]>();
    const hashes: string[] = [];
    const minedEth = new Set<string>();
    let others = 0;
    const senders = new Set([
      ...wallets.map((w) => w.address.toLowerCase()),
      ...(await Promise.all(natives.map(async (n) => maskedOf(await http.call('Filecoin.StateLookupID', [n.address.toString(), null]))))),
    ]);
    for (let from = 1; from <= head; from += 100) {
      const batch = Array.from({ length: Math.min(100, head - from + 1) }, (_, i) => ({ jsonrpc: '2.0', id: from + i, method: 'eth_getBlockByNumber', params: ['0x' + (from + i).toString(16), true] }));
      const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      for (const answer of (await res.json()) as (RpcAnswer & { id: number })[]) {
        hashes[answer.id] = answer.result.hash;
        for (const tx of answer.result.transactions) {
          if (!senders.has(tx.from)) {
            others++; // the storage providers' messages: publishing and sealing the deals
            continue;
          }
          nonces.set(tx.from, [...(nonces.get(tx.from) ?? []), Number(tx.nonce)]);
          if (!tx.from.startsWith('0xff')) minedEth.add(tx.hash);
        }
      }
    }
    const all = Array.from({ length: PER_CLIENT }, (_, i) => i);
    let mined = 0;
    for (const sender of senders) {
      const expected = sender === deployer.address.toLowerCase() ? [0] : all;
      const used = nonces.get(sender)?.sort((a, b) => a - b) ?? [];
      mined += used.length;
      assert.deepEqual(used, expected, `nonces of ${sender}`);
      assert.equal(Number(await http.call('eth_getTransactionCount', [sender, 'latest'])), expected.length, `count of ${sender}`);
    }
    assert.equal(mined, 32 * PER_CLIENT + 1, 'transactions of the clients in blocks');
    ethHashes.add(signEth(deployer, { nonce: 0, data: EMITTER_INITCODE, gasLimit: CALL_GAS }).hash);
    assert.deepEqual(minedEth, ethHashes, 'the signed transactions are those mined');

    // Every subscriber saw every log exactly once, and every head since it subscribed once, in order.
    const logs = WS_CALLS * PER_CLIENT;
    const fromChain: { transactionHash: string; data: string }[] = [];
    for (let from = 0; from <= head; from += 2000) {
      fromChain.push(...(await http.call('eth_getLogs', [{ address: emitter, fromBlock: '0x' + from.toString(16), toBlock: '0x' + Math.min(head, from + 1999).toString(16) }])));
    }
    assert.equal(fromChain.length, logs);
    const chainLogs = new Set(fromChain.map((l) => `${l.transactionHash}:${l.data}`));
    const heights = Array.from({ length: head - subscribedAt }, (_, i) => subscribedAt + 1 + i);
    for (const [i, { logs: logsSeen, heads }] of seen.entries()) {
      await pollUntil(`subscriber ${i} to see ${logs} logs and head ${head}`, async () => (logsSeen.size >= logs && heads.at(-1)?.number === head ? true : undefined), {
        attempts: 600,
        intervalMs: 50,
      });
      assert.deepEqual([...logsSeen.values()].filter((n) => n !== 1), [], `subscriber ${i}: logs seen more than once`);
      assert.deepEqual(new Set(logsSeen.keys()), chainLogs, `subscriber ${i}: the chain's logs`);
      assert.deepEqual(heads.map((h) => h.number), heights, `subscriber ${i}: heights`);
      assert.deepEqual(heads.map((h) => h.hash), heights.map((n) => hashes[n]), `subscriber ${i}: head hashes`);
    }
    for (const client of subscribers) client.close();
    assert.ok(reads > 0);
    t.diagnostic(
      `${mined} transactions of ${senders.size} senders and ${others} of the storage providers in ${head} blocks; ${deals.length} deals sealed; ` +
        `${reads} reads; ${SUBSCRIBERS} subscribers saw ${logs} logs and ${heights.length} heads each`,
    );
    t.diagnostic(`sealing the deals and checking ${Math.round(performance.now() - started)} ms`);
  });
});

/**
 * A deal client with key `fill(seed)`: each call proposes a deal for a fresh piece to `provider`,
 * signed with its own key, starting 200 epochs after the head, and answers the deal id.
 */
function dealProposer(client: FilAddress, seed: number, provider: string): (caller: Caller) => Promise<number> {
  const wallet = new NativeWallet();
  wallet.import('secp256k1', new Uint8Array(32).fill(seed));
  let n = 0;
  return async (caller) => {
    const payload = new Uint8Array(2000).fill(seed);
    payload[0] = n++;
    const { cid, size } = computePieceCid(payload);
    const startEpoch = Number(await caller.call('eth_blockNumber')) + 200;
    const terms = { pieceCid: cid, pieceSize: size, verifiedDeal: false, label: cid.toString(), startEpoch, endEpoch: startEpoch + DEAL_DURATION, storagePricePerEpoch: PRICE_PER_EPOCH, providerCollateral: 0n, clientCollateral: 0n };
    const signature = wallet.sign(client, encodeCbor(proposalValue(terms, client, FilAddress.parse(provider))));
    const { dealId } = await caller.call('devnet_proposeDeal', [
      {
        pieceCid: cid.toString(),
        pieceSize: size,
        client: client.toString(),
        provider,
        label: terms.label,
        startEpoch,
        endEpoch: terms.endEpoch,
        storagePricePerEpoch: PRICE_PER_EPOCH.toString(),
        clientSignature: '0x' + Buffer.from([signature.type, ...signature.data]).toString('hex'),
      },
    ]);
    return dealId;
  };
}
