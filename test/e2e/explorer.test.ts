// The explorer at GET / in real headless Chromium against the devnet CLI: a storage deal made with
// `fvm-devnet deal` followed from the deals to its storage provider, a transaction that reverts
// followed from the front page to its revert reason, a tipset arriving live over the WebSocket,
// the search box, a phone-wide screen, a deal its provider never seals (published, then expired),
// and a chain of 10 000 tipsets, read a page at a time.
// With EXPLORER_SCREENSHOTS=<dir> the main views are saved there (docs/ holds the README's).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { decode, encode } from '@ipld/dag-cbor';
import { AbiCoder, Contract, ContractFactory, JsonRpcProvider, Wallet, keccak256, parseEther, toBeHex, zeroPadValue, type TransactionResponse } from 'ethers';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { CLI_PATH, DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { compileFixtures, REPO_ROOT } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { encodeBitfield } from '../../src/common/bitfield.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';

const run = promisify(execFile);
const SCREENSHOTS = process.env.EXPLORER_SCREENSHOTS;
const DESKTOP = { width: 1200, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The deal's price, attoFIL per epoch. */
const PRICE = 10n ** 12n;

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A page of the explorer at `hash`, once its view has rendered. */
async function open(node: DevnetProcess, hash: string, viewport = DESKTOP): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${node.url}/${hash}`);
  await page.waitForSelector('main[data-ready]');
  return page;
}

async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `explorer-${name}.png`), fullPage });
}

/** The decoded fields (name -> text) of the first field list in `container`. */
async function fields(page: Page, container: string): Promise<Record<string, string>> {
  return page.$eval(`${container} dl.fields`, (list) => Object.fromEntries([...list.querySelectorAll(':scope > dt')].map((dt) => [dt.textContent ?? '', (dt.nextElementSibling as HTMLElement).innerText])));
}

/** A deal page's steps: [step, message CID] in order. */
async function steps(page: Page): Promise<[string, string][]> {
  return page.$$eval('table.steps tbody tr', (rows) => rows.map((row) => [(row.children[1] as HTMLElement).innerText, (row.children[2] as HTMLElement).innerText] as [string, string]));
}

/** The message CID of the market's deal-activated event for a deal activated at `epoch` (what the deal page's steps should name). */
async function activationMessage(provider: JsonRpcProvider, dealId: number, epoch: number): Promise<string> {
  const events: { entries: { Key: string; Value: string }[]; msgCid: { '/': string } }[] = await provider.send('Filecoin.GetActorEventsRaw', [{ addresses: ['t05'], fromHeight: epoch, toHeight: epoch }]);
  const of = events.find((e) => {
    const value = (key: string) => decode(Buffer.from(e.entries.find((x) => x.Key === key)!.Value, 'base64'));
    return value('$type') === 'deal-activated' && value('id') === dealId;
  });
  return of!.msgCid['/'];
}

/** The page's facts (label -> text) of its first facts list. */
async function facts(page: Page): Promise<Record<string, string>> {
  return page.$$eval('dl.facts > dt', (terms) => Object.fromEntries(terms.map((dt) => [dt.textContent ?? '', (dt.nextElementSibling as HTMLElement).innerText])));
}

describe('the explorer (headless Chromium)', () => {
  const node = useDevnet();
  let provider: JsonRpcProvider;
  let failing: TransactionResponse;
  let tokenTransfer: TransactionResponse;
  let tokenFailing: TransactionResponse;
  let dealMessage: string;
  let dealId: number;
  let provider_: string;
  let pieceCid: string;

  before(async () => {
    provider = node.provider;
    const wallet = node.wallet;
    await (await wallet.sendTransaction({ to: DEV_ACCOUNTS[1]!.address, value: parseEther('2.5') })).wait();
    const { Counter, PermitToken } = await compileFixtures();
    const counter = await new ContractFactory(Counter!.abi, Counter!.bytecode, wallet).deploy();
    await counter.waitForDeployment();
    // fail() always reverts with Error("nope"); a fixed gas limit gets it mined rather than refused.
    failing = await wallet.sendTransaction({ to: await counter.getAddress(), data: counter.interface.encodeFunctionData('fail'), gasLimit: 50_000_000 });
    assert.equal((await provider.waitForTransaction(failing.hash))?.status, 0);
    // An ERC-20: a transfer (decoded by the known ABIs, with its Transfer event) and one that reverts
    // with OpenZeppelin's ERC20InsufficientBalance.
    const token = await new ContractFactory(PermitToken!.abi, PermitToken!.bytecode, wallet).deploy('Tok', 1000n);
    await token.waitForDeployment();
    tokenTransfer = await wallet.sendTransaction({ to: await token.getAddress(), data: token.interface.encodeFunctionData('transfer', [DEV_ACCOUNTS[1]!.address, 100n]) });
    await tokenTransfer.wait();
    const poor = new Wallet(DEV_ACCOUNTS[1]!.privateKey, provider);
    tokenFailing = await poor.sendTransaction({ to: await token.getAddress(), data: token.interface.encodeFunctionData('transfer', [DEV_ACCOUNTS[0]!.address, 5000n]), gasLimit: 50_000_000 });
    assert.equal((await provider.waitForTransaction(tokenFailing.hash))?.status, 0);

    const dir = mkdtempSync(join(tmpdir(), 'explorer-'));
    writeFileSync(join(dir, 'data.bin'), Buffer.alloc(3000, 7));
    const deal = await run(process.execPath, [CLI_PATH, 'deal', join(dir, 'data.bin'), '--rpc', node.url, '--price', PRICE.toString()], { cwd: REPO_ROOT });
    dealMessage = /Publish msg:\s+(\S+)/.exec(deal.stdout)![1]!;
    dealId = Number(/Deal ID:\s+(\d+)/.exec(deal.stdout)![1]);
    provider_ = /Provider:\s+(\S+)/.exec(deal.stdout)![1]!;
    pieceCid = /Piece CID:\s+(\S+)/.exec(deal.stdout)![1]!;
    // The provider seals the deal in the tipsets its own messages make.
    for (let i = 0; i < 50; i++) {
      const state = await provider.send('Filecoin.StateMarketStorageDeal', [dealId, null]);
      if (state.State.SectorStartEpoch >= 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('the front page lists the newest tipsets with their messages, native ones named, failures marked', async () => {
    const page = await open(node, '');
    try {
      await screenshot(page, 'tipsets');
      assert.match(node.output(), new RegExp(`Explorer: +${node.url}/\n`));
      assert.equal(await page.locator('h1').textContent(), 'Latest tipsets');
      const head = await provider.getBlockNumber();
      assert.equal(await page.locator('#head').textContent(), `head ${head}`);
      const failedRow = page.locator('tr', { has: page.locator(`a[href="#/message/${failing.hash}"]`) });
      assert.equal(await failedRow.locator('.badge').textContent(), 'failed');
      assert.equal(await failedRow.locator('td[data-label="Method"]').textContent(), '0xa9cc4718');
      // A known function by its signature.
      const transferRow = page.locator('tr', { has: page.locator(`a[href="#/message/${tokenTransfer.hash}"]`) });
      assert.equal(await transferRow.locator('td[data-label="Method"]').textContent(), 'transfer(address,uint256)');
      const publishHash = await provider.send('Filecoin.EthGetTransactionHashByCid', [{ '/': dealMessage }]);
      const publishRow = page.locator('tr', { has: page.locator(`a[href="#/message/${publishHash}"]`) });
      assert.equal(await publishRow.locator('td[data-label="Method"]').textContent(), 'PublishStorageDeals');
      assert.equal(await publishRow.locator('td[data-label="To"]').textContent(), 't05');
      assert.equal(await publishRow.locator('.badge').textContent(), 'ok');
    } finally {
      await page.close();
    }
  });

  test('the front page shows a new tipset as it is mined, without a reload', async () => {
    const page = await open(node, '');
    try {
      await page.evaluate(() => document.querySelector('main')!.setAttribute('data-loaded-once', 'yes'));
      const wallet = new Wallet(DEV_ACCOUNTS[2]!.privateKey, provider);
      const sent = await wallet.sendTransaction({ to: DEV_ACCOUNTS[3]!.address, value: parseEther('1') });
      const epoch = (await sent.wait())!.blockNumber;
      await page.waitForSelector(`section.tipset[data-epoch="${epoch}"] a[href="#/message/${sent.hash}"]`);
      assert.match(String(await page.locator('#head').textContent()), /^head \d+$/);
      assert.ok(Number((await page.locator('#head').textContent())!.slice(5)) >= epoch);
      const row = page.locator(`section.tipset[data-epoch="${epoch}"] tr`, { has: page.locator(`a[href="#/message/${sent.hash}"]`) });
      assert.equal(await row.locator('td[data-label="Method"]').textContent(), 'Transfer');
      assert.equal(await row.locator('td[data-label="Value"]').textContent(), '1 FIL');
      // The same document: the page was updated in place, not loaded again.
      assert.equal(await page.evaluate(() => document.querySelector('main')!.getAttribute('data-loaded-once')), 'yes');
    } finally {
      await page.close();
    }
  });

  test('a failed message leads to its revert reason, exit code and both address forms', async () => {
    const page = await open(node, '');
    try {
      await page.click(`a[href="#/message/${failing.hash}"]`);
      await page.waitForSelector('dl.facts');
      await screenshot(page, 'message');
      const shown = await facts(page);
      assert.match(shown.Status!, /^failed\s+exit code EvmReverted\(33\)$/);
      assert.equal(shown['Revert reason'], 'nope');
      assert.equal(shown.Hash, failing.hash);
      assert.equal(shown.CID, await provider.send('Filecoin.EthGetMessageCidByTransactionHash', [failing.hash]).then((c: { '/': string }) => c['/']));
      assert.match(shown.From!, new RegExp(`^0xf39fd6…b92266\\s+${await provider.send('Filecoin.EthAddressToFilecoinAddress', [DEV_ACCOUNTS[0]!.address])}$`));
      assert.match(shown.Method!, /^InvokeContract \(3844450837, evm actor\) selector 0xa9cc4718$/);
      assert.equal(shown.Nonce, String(failing.nonce));
      // fail() is no known signature: its selector; the revert data is Error(string), decoded.
      assert.equal(await page.locator('.params code.signature').textContent(), '0xa9cc4718');
      assert.equal(await page.locator('.params p.raw code').textContent(), '0xa9cc4718');
      assert.equal(await page.locator('.return code.signature').textContent(), 'Error(string)');
      assert.deepEqual(await fields(page, '.return'), { message: 'nope' });
    } finally {
      await page.close();
    }
  });

  test("a contract's call, return and events are decoded by known ABIs, and a custom error is named", async () => {
    const page = await open(node, `#/message/${tokenTransfer.hash}`);
    try {
      assert.equal(await page.locator('.params code.signature').textContent(), 'transfer(address,uint256)');
      assert.deepEqual(await fields(page, '.params'), { to: DEV_ACCOUNTS[1]!.address, value: '100' });
      assert.equal(await page.locator('.return code.signature').textContent(), 'transfer(address,uint256) returns (bool)');
      assert.deepEqual(await fields(page, '.return'), { '#0': 'true' });
      assert.equal(await page.locator('section.event header strong').textContent(), 'Transfer(address,address,uint256)');
      assert.deepEqual(await fields(page, 'section.event'), { from: DEV_ACCOUNTS[0]!.address, to: DEV_ACCOUNTS[1]!.address, value: '100' });
      await page.goto(`${node.url}/#/message/${tokenFailing.hash}`);
      await page.waitForFunction((hash) => document.querySelector('main')?.getAttribute('data-route') === `#/message/${hash}`, tokenFailing.hash);
      const shown = await facts(page);
      assert.equal(shown['Revert reason'], `ERC20InsufficientBalance(address,uint256,uint256) sender=${DEV_ACCOUNTS[1]!.address}, balance=100, needed=5000`);
      assert.deepEqual(await fields(page, '.return'), { sender: DEV_ACCOUNTS[1]!.address, balance: '100', needed: '5000' });
    } finally {
      await page.close();
    }
  });

  test('a deal leads to its storage provider, which lists the deal, its power and its sectors', async () => {
    const page = await open(node, '#/deals');
    try {
      const row = page.locator('table.deals tr', { has: page.locator(`a[href="#/deal/${dealId}"]`) });
      assert.equal(await row.locator('.badge').textContent(), 'active');
      assert.equal(await row.locator('td[data-label="Piece"]').textContent(), pieceCid);
      await row.locator(`a[href="#/deal/${dealId}"]`).click();
      await page.waitForSelector('.deal dl.facts');
      const deal = await facts(page);
      const onChain = await provider.send('Filecoin.StateMarketStorageDeal', [dealId, null]);
      assert.match(deal.State!, new RegExp(`^active\\s+in sector ${onChain.State.SectorNumber} since epoch ${onChain.State.SectorStartEpoch}$`));
      assert.equal(deal.Provider, provider_);
      assert.equal(deal['Piece CID'], pieceCid);
      assert.equal(deal['Piece size'], '4 KiB');
      assert.equal(deal.Price, '0.000001 FIL per epoch');
      assert.equal(deal.Sector, `${onChain.State.SectorNumber}, activated at ${onChain.State.SectorStartEpoch}`);
      assert.deepEqual(await steps(page), [['published', dealMessage], ['activated', await activationMessage(provider, dealId, onChain.State.SectorStartEpoch)]]);
      assert.equal(await page.locator('figure.chart').count(), 2);

      await page.click(`dl.facts a[href="#/miner/${provider_}"]`);
      await page.waitForSelector('.miner dl.facts');
      await screenshot(page, 'storage-provider');
      assert.equal(await page.locator('h1').textContent(), `Storage provider ${provider_}`);
      const miner = await facts(page);
      const power = await provider.send('Filecoin.StateMinerPower', [provider_, null]);
      // Whole sectors of 32 GiB, under 1 TiB: shown in GiB.
      const raw = BigInt(power.MinerPower.RawBytePower);
      assert.ok(raw > 0n && raw < 2n ** 40n && raw % 2n ** 30n === 0n);
      assert.equal(miner['Raw power'], `${raw / 2n ** 30n} GiB`);
      const count = await provider.send('Filecoin.StateMinerSectorCount', [provider_, null]);
      assert.equal(miner.Sectors, `${count.Live} live, ${count.Active} active, ${count.Faulty} faulty`);
      assert.equal(await page.locator(`table.deals a[href="#/deal/${dealId}"]`).count(), 1);
      const sectorRow = page.locator('table.sectors tr', { has: page.locator(`a[href="#/deal/${dealId}"]`) });
      assert.equal(await sectorRow.locator('td[data-label="Sector"]').textContent(), String(onChain.State.SectorNumber));
    } finally {
      await page.close();
    }
  });

  test("a native message's params are decoded by the node, and the market's events are listed with their fields", async () => {
    const page = await open(node, `#/message/${dealMessage}`);
    try {
      await screenshot(page, 'native-message', true);
      assert.match((await facts(page)).Method!, /^PublishStorageDeals \(4, storagemarket actor\)$/);
      // Filecoin.StateDecodeParams: PublishStorageDealsParams in Lotus's JSON, its proposal's fields named.
      const proposal = page.locator('.params dl.fields dd dl.fields', { has: page.locator('dt', { hasText: 'PieceCID' }) }).first();
      assert.equal(await proposal.locator('dt:text-is("PieceCID") + dd').innerText(), pieceCid);
      assert.equal(await proposal.locator('dt:text-is("Provider") + dd').innerText(), provider_);
      assert.equal(await proposal.locator('dt:text-is("StoragePricePerEpoch") + dd').innerText(), PRICE.toString());
      // The return as the node decodes it (StateWaitMsg's ReturnDec: PublishStorageDealsReturn).
      assert.equal(await page.locator('.return dt:text-is("IDs") + dd').innerText(), String(dealId));
      const published = page.locator('section.event.builtin', { has: page.locator('header strong', { hasText: 'deal-published' }) });
      assert.equal(await published.count(), 1);
      const event = await published.evaluate((section) => Object.fromEntries([...section.querySelectorAll('dl.fields > dt')].map((dt) => [dt.textContent, (dt.nextElementSibling as HTMLElement).innerText])));
      assert.equal(event.id, String(dealId));
      assert.equal(`t0${event.provider}`, provider_);
      assert.equal(await published.locator('header a').textContent(), 't05');
    } finally {
      await page.close();
    }
  });

  test('the search box finds a message by CID, an actor by 0x address, and a tipset by epoch', async () => {
    const page = await open(node, '');
    try {
      const search = async (text: string) => {
        const before = await page.evaluate(() => location.hash);
        await page.fill('form.search input', text);
        await page.press('form.search input', 'Enter');
        await page.waitForFunction((previous) => location.hash !== previous, before);
        const hash = await page.evaluate(() => location.hash);
        // The view for the new location, not the previous one still on screen.
        await page.waitForFunction((expected) => document.querySelector('main')?.getAttribute('data-route') === expected, hash);
        return hash;
      };
      assert.equal(await search(dealMessage), `#/message/${dealMessage}`);
      await page.waitForSelector('dl.facts');
      assert.equal((await facts(page)).CID, dealMessage);
      assert.equal(await search(DEV_ACCOUNTS[1]!.address), `#/actor/${DEV_ACCOUNTS[1]!.address.toLowerCase()}`);
      await page.waitForSelector('dl.facts');
      assert.equal((await facts(page)).Kind, 'ethaccount');
      assert.equal(await search('2'), '#/tipset/2');
      assert.equal(await page.locator('h1').textContent(), 'Tipset 2');
      assert.equal(await search('t0999999'), '#/actor/t0999999');
      assert.match(await page.locator('main').innerText(), /No actor at t0999999 on this chain/);
      assert.equal(await search('not-a-name'), '#/search/not-a-name');
      assert.equal(await page.locator('h1').textContent(), 'Nothing found');
    } finally {
      await page.close();
    }
  });

  test("a contract's page shows its bytecode size, nonce, balance and the storage slots its transactions read and wrote", async () => {
    const token = (await provider.getTransactionReceipt(tokenTransfer.hash))!.to!;
    const page = await open(node, `#/actor/${token.toLowerCase()}`);
    try {
      await page.waitForSelector('table.storage');
      await screenshot(page, 'contract', true);
      const shown = await facts(page);
      assert.equal(shown.Kind, 'evm');
      assert.equal(shown.Bytecode, `${((await provider.getCode(token)).length - 2) / 2} bytes`.replace(/^(\d+)/, (n) => Number(n).toLocaleString('en-US')));
      assert.equal(shown['Ethereum address'], token.toLowerCase());
      assert.match(shown['Robust address']!, /^t2/);
      assert.equal(shown['Delegated address'], await provider.send('Filecoin.EthAddressToFilecoinAddress', [token]));
      assert.match(shown.Balance!, /^0 FIL \(0 attoFIL\)$/);
      // PermitToken keeps balanceOf in slot 1: the recipient's balance is at keccak256(address, 1).
      const slot = keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'uint256'], [DEV_ACCOUNTS[1]!.address, 1]));
      const row = page.locator('table.storage tr', { has: page.locator(`td[data-label="Slot"] code:text-is("${slot}")`) });
      assert.equal(await row.locator('td[data-label="Value now"]').innerText(), zeroPadValue(toBeHex(100), 32));
      // The transfer wrote it; the transfer that reverted read it (balance 100 < 5000).
      assert.equal(await row.locator(`td[data-label="Written by"] a[href="#/message/${tokenTransfer.hash}"]`).count(), 1);
      assert.equal(await row.locator(`td[data-label="Read by"] a[href="#/message/${tokenFailing.hash}"]`).count(), 1);
    } finally {
      await page.close();
    }
  });

  test('on a phone-wide screen nothing is wider than the screen', async () => {
    const token = (await provider.getTransactionReceipt(tokenTransfer.hash))!.to!.toLowerCase();
    const publish = await provider.send('Filecoin.EthGetTransactionHashByCid', [{ '/': dealMessage }]);
    for (const hash of ['', `#/message/${failing.hash}`, `#/message/${publish}`, `#/tipset/${failing.blockNumber}`, '#/deals', `#/deal/${dealId}`, `#/miner/${provider_}`, `#/actor/${token}`]) {
      const page = await open(node, hash, PHONE);
      try {
        if (hash === `#/message/${failing.hash}`) await screenshot(page, 'message-phone');
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, hash || 'front page');
      } finally {
        await page.close();
      }
    }
  });
});

describe('deals through their life in the explorer', () => {
  const node = useDevnet();
  let provider: JsonRpcProvider;
  const rpc = (method: string, params: unknown[]) => provider.send(method, params);

  /** A deal made with `fvm-devnet deal`, once its provider has sealed it. */
  async function activeDeal(fill: number): Promise<{ id: number; provider: string; message: string; sector: number; activated: number; start: number; end: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'explorer-'));
    writeFileSync(join(dir, 'data.bin'), Buffer.alloc(3000, fill));
    const { stdout } = await run(process.execPath, [CLI_PATH, 'deal', join(dir, 'data.bin'), '--rpc', node.url, '--price', PRICE.toString()], { cwd: REPO_ROOT });
    const id = Number(/Deal ID:\s+(\d+)/.exec(stdout)![1]);
    for (let i = 0; ; i++) {
      const deal = await rpc('Filecoin.StateMarketStorageDeal', [id, null]);
      if (deal.State.SectorStartEpoch >= 0) {
        return { id, provider: deal.Proposal.Provider, message: /Publish msg:\s+(\S+)/.exec(stdout)![1]!, sector: deal.State.SectorNumber, activated: deal.State.SectorStartEpoch, start: deal.Proposal.StartEpoch, end: deal.Proposal.EndEpoch };
      }
      assert.ok(i < 100, `deal ${id} was not sealed`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(() => {
    provider = node.provider;
  });

  /** A proposal from a deal client contract (fevm-hardhat-kit's shape) for a fresh piece, its data uploaded where location_ref says. */
  async function propose(client: Contract, fill: number): Promise<{ pieceCid: string; hash: string }> {
    const payload = new Uint8Array(4000).fill(fill);
    const { cid, size } = computePieceCid(payload);
    const upload = await fetch(`${node.url}/piece/${cid}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(payload) });
    assert.ok(upload.ok, `upload: HTTP ${upload.status}`);
    const startEpoch = (await provider.getBlockNumber()) + 200;
    const request = { pieceCid: cid.bytes, pieceSize: size, verifiedDeal: false, label: cid.toString(), startEpoch, endEpoch: startEpoch + 518_400, storagePricePerEpoch: PRICE, providerCollateral: 0n, clientCollateral: 0n, locationRef: `${node.url}/piece/${cid}`, carSize: 4000 };
    const sent = await client.makeDealProposal(request);
    await sent.wait();
    return { pieceCid: cid.toString(), hash: sent.hash };
  }

  test('a deal goes from proposed to settled or slashed, with its steps, escrow and payments; a proposal nobody took stays proposed', async () => {
    const settled = await activeDeal(1);
    const slashed = await activeDeal(2);
    // A contract's proposal, published and sealed by a provider.
    const wallet = node.wallet;
    const { DealClient } = await compileFixtures();
    const client = (await new ContractFactory(DealClient!.abi, DealClient!.bytecode, wallet).deploy()) as Contract;
    await client.waitForDeployment();
    await (await wallet.sendTransaction({ to: await client.getAddress(), value: parseEther('1') })).wait();
    await (await client.addBalance(parseEther('1'))).wait();
    const taken = await propose(client, 3);
    const proposalMessage = (await rpc('Filecoin.EthGetMessageCidByTransactionHash', [taken.hash]))['/'];
    let contractDeal: number | undefined;
    for (let i = 0; contractDeal === undefined; i++) {
      const deals: Record<string, { Proposal: { PieceCID: { '/': string } }; State: { SectorStartEpoch: number } }> = await rpc('Filecoin.StateMarketDeals', [null]);
      const found = Object.entries(deals).find(([, d]) => d.Proposal.PieceCID['/'] === taken.pieceCid && d.State.SectorStartEpoch >= 0);
      if (found) contractDeal = Number(found[0]);
      assert.ok(i < 100, 'the contract deal was not sealed');
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The second deal's sector is terminated 100 epochs into the deal; the first runs to its end.
    await rpc('anvil_mine', [slashed.start + 100 - (await provider.getBlockNumber())]);
    const termination = (await rpc('devnet_terminateSectors', [slashed.provider, [slashed.sector]]))['/'];
    const { Height: terminatedAt } = await rpc('Filecoin.StateSearchMsg', [null, { '/': termination }, -1, true]);
    await rpc('anvil_mine', [settled.end - (await provider.getBlockNumber()) + 10]);
    // The provider settles it once it has ended, and the market removes it.
    for (let i = 0; ; i++) {
      const gone = await rpc('Filecoin.StateMarketStorageDeal', [settled.id, null]).then(() => false, () => true);
      if (gone) break;
      assert.ok(i < 100, 'the ended deal was not settled');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // A proposal every provider refuses: nobody publishes it.
    for (const miner of await rpc('Filecoin.StateListMiners', [null])) await rpc('devnet_rejectNextProposal', [miner, 'not today']);
    const refused = await propose(client, 4);
    for (let i = 0; !/refused a contract deal: not today/.test(node.output()); i++) {
      assert.ok(i < 100, 'no provider looked at the proposal');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const page = await open(node, '#/deals');
    try {
      await screenshot(page, 'deals', true);
      const proposedRow = page.locator('table.proposed tbody tr');
      assert.equal(await proposedRow.count(), 1);
      assert.equal(await proposedRow.locator('td[data-label="Piece"]').innerText(), refused.pieceCid);
      assert.equal(await proposedRow.locator('td[data-label="Price / epoch"]').innerText(), '0.000001 FIL');
      const badge = (id: number) => page.locator('table.deals tr', { has: page.locator(`a[href="#/deal/${id}"]`) }).locator('.badge');
      assert.equal(await badge(settled.id).textContent(), 'settled');
      assert.equal(await badge(slashed.id).textContent(), 'slashed');

      await page.click(`a[href="#/deal/${settled.id}"]`);
      await page.waitForSelector('.deal figure.chart');
      await screenshot(page, 'deal', true);
      const deal = await facts(page);
      assert.match(deal.State!, /^settled\s+paid in full and removed at epoch \d+$/);
      // The market no longer holds it: its terms come from its publish message.
      assert.equal(deal.Price, '0.000001 FIL per epoch');
      assert.equal(deal.Epochs!.split(' (')[0], `${settled.start.toLocaleString('en-US')} to ${settled.end.toLocaleString('en-US')}`);
      assert.deepEqual((await steps(page)).map(([step]) => step), ['published', 'activated', 'completed (settled)']);
      assert.equal((await steps(page))[0]![1], settled.message);
      // Paid for every epoch of the deal, as the payments chart's settled line ends.
      const legend = await page.$$eval('figure.chart ul.legend li', (items) => items.map((li) => li.textContent));
      const total = PRICE * BigInt(settled.end - settled.start);
      assert.ok(legend.includes(`settled (paid to the provider): ${Number(total) / 1e18} FIL`), legend.join('; '));
      assert.equal(await page.locator('figure.chart polyline').count(), 5);

      await page.click(`dl.facts a[href="#/miner/${settled.provider}"]`);
      await page.waitForSelector('.miner dl.facts');
      assert.equal(await page.locator(`table.deals a[href="#/deal/${settled.id}"]`).count(), 1);

      await page.goto(`${node.url}/#/deal/${contractDeal}`);
      await page.waitForFunction((id) => document.querySelector('main')?.getAttribute('data-route') === `#/deal/${id}`, contractDeal);
      await page.waitForSelector('.deal dl.facts');
      assert.match((await facts(page)).State!, /^active\s/);
      assert.deepEqual((await steps(page)).map(([step]) => step), ['proposed by its client contract', 'published', 'activated']);
      assert.equal((await steps(page))[0]![1], proposalMessage);

      await page.goto(`${node.url}/#/deal/${slashed.id}`);
      await page.waitForFunction((id) => document.querySelector('main')?.getAttribute('data-route') === `#/deal/${id}`, slashed.id);
      await page.waitForSelector('.deal dl.facts');
      assert.equal((await facts(page)).State, `slashed\tsector terminated at epoch ${terminatedAt}`.replace('\t', ' '));
      assert.deepEqual(await steps(page), [['published', slashed.message], ['activated', await activationMessage(provider, slashed.id, slashed.activated)], ['terminated (slashed)', termination]]);
      const paid = PRICE * BigInt(terminatedAt - slashed.start);
      const payments = await page.$$eval('figure.chart ul.legend li', (items) => items.map((li) => li.textContent));
      assert.ok(payments.includes(`settled (paid to the provider): ${Number(paid) / 1e18} FIL`), payments.join('; '));

      // Its provider still lists the terminated sector (Lotus's StateMinerSectors keeps it until compaction), as dead.
      await page.click(`dl.facts a[href="#/miner/${slashed.provider}"]`);
      await page.waitForSelector('.miner table.sectors');
      const sectorRow = page.locator('table.sectors tr', { has: page.locator('td[data-label="Sector"]', { hasText: new RegExp(`^${slashed.sector}$`) }) });
      assert.equal(await sectorRow.locator('.badge').textContent(), 'dead');
    } finally {
      await page.close();
    }
  });
});

describe('a deal its provider never seals, in the explorer', () => {
  // Providers that wait 1 000 epochs before sealing: a deal starting sooner is published, then times out.
  const node = useDevnet(['--seal-delay', '1000']);
  let provider: JsonRpcProvider;
  const rpc = (method: string, params: unknown[]) => provider.send(method, params);

  before(() => {
    provider = node.provider;
  });

  /** Deal `id`'s page, read afresh: its facts and steps. */
  async function dealPage(id: number): Promise<{ deal: Record<string, string>; dealSteps: [string, string][] }> {
    const page = await open(node, `#/deal/${id}`);
    try {
      await page.waitForSelector('.deal dl.facts');
      return { deal: await facts(page), dealSteps: await steps(page) };
    } finally {
      await page.close();
    }
  }

  /** The badge deal `id` has in the list of deals. */
  async function badge(id: number): Promise<string | null> {
    const page = await open(node, '#/deals');
    try {
      return await page.locator('table.deals tr', { has: page.locator(`a[href="#/deal/${id}"]`) }).locator('.badge').textContent();
    } finally {
      await page.close();
    }
  }

  test('a published deal shows as published, then expired past its start epoch, and stays expired once the market removes it', async () => {
    const { cid, size } = computePieceCid(new Uint8Array(4000).fill(9));
    const start = (await provider.getBlockNumber()) + 30;
    const end = start + 518_400;
    const published = await rpc('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, startEpoch: start, endEpoch: end, storagePricePerEpoch: PRICE.toString(), label: 'never sealed' }]);
    const id: number = published.dealId;
    const onChain = await rpc('Filecoin.StateMarketStorageDeal', [id, null]);
    const client: string = onChain.Proposal.Client;
    const epochs = `${start.toLocaleString('en-US')} to ${end.toLocaleString('en-US')}`;
    assert.equal(await badge(id), 'published');
    let { deal, dealSteps } = await dealPage(id);
    assert.equal(deal.State, `published waiting for a sector before epoch ${start}`);
    assert.equal(deal.Provider, published.provider);
    assert.equal(deal.Client, client);
    assert.equal(deal['Piece CID'], cid.toString());
    assert.equal(deal['Piece size'], '4 KiB');
    assert.equal(deal.Label, 'never sealed');
    assert.equal(deal.Epochs!.split(' (')[0], epochs);
    assert.equal(deal.Price, '0.000001 FIL per epoch');
    assert.equal(deal.Sector, 'not yet sealed');
    assert.deepEqual(dealSteps, [['published', published.message['/']]]);

    // Past its start epoch without a sector: it can no longer be activated, but the market holds it
    // until its cron check (up to 30 days of epochs later) or a settlement.
    await rpc('anvil_mine', [start + 1 - (await provider.getBlockNumber())]);
    assert.equal((await rpc('Filecoin.StateMarketStorageDeal', [id, null])).State.SectorStartEpoch, -1);
    assert.equal(await badge(id), 'expired');
    ({ deal, dealSteps } = await dealPage(id));
    assert.equal(deal.State, `expired not activated by its start epoch ${start}: timed out, removal pending`);
    assert.equal(deal.Sector, 'never sealed');
    assert.equal(deal.Epochs!.split(' (')[0], epochs);
    assert.equal(deal.Provider, published.provider);
    assert.equal(deal.Client, client);
    assert.deepEqual(dealSteps, [['published', published.message['/']]]);

    // Anyone may settle it: SettleDealPayments times it out now (no event marks it).
    const from = await rpc('Filecoin.WalletDefaultAddress', []);
    const settle = await rpc('Filecoin.MpoolPushMessage', [{ From: from, To: 't05', Value: '0', Method: methodNumber('SettleDealPayments'), Params: Buffer.from(encode(encodeBitfield([id]))).toString('base64') }, null]);
    const { Receipt } = await rpc('Filecoin.StateWaitMsg', [settle.CID, 0, -1, true]);
    assert.equal(Receipt.ExitCode, 0);
    await assert.rejects(rpc('Filecoin.StateMarketStorageDeal', [id, null]), /deal .* not found/);
    assert.equal(await badge(id), 'expired');
    ({ deal, dealSteps } = await dealPage(id));
    assert.equal(deal.State, `expired not activated by its start epoch ${start}: timed out`);
    // Its terms now come from its publish message.
    assert.equal(deal['Piece CID'], cid.toString());
    assert.equal(deal.Price, '0.000001 FIL per epoch');
    assert.equal(deal.Epochs!.split(' (')[0], epochs);
    assert.equal(deal.Sector, '—');
    assert.deepEqual(dealSteps, [['published', published.message['/']]]);
  });
});

describe('the explorer on a forked chain', () => {
  test('says where the chain was forked, marks the upstream tipsets, and tells forked actors from new ones', async (t) => {
    const upstream = await startDevnet(['--storage-providers', '0']);
    t.after(() => upstream.stop());
    const upstreamRpc = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    t.after(() => upstreamRpc.destroy());
    const { Counter } = await compileFixtures();
    const deploy = async (wallet: Wallet) => {
      const counter = await new ContractFactory(Counter!.abi, Counter!.bytecode, wallet).deploy();
      await counter.waitForDeployment();
      return (await counter.getAddress()).toLowerCase();
    };
    const forked = await deploy(new Wallet(DEV_ACCOUNTS[0]!.privateKey, upstreamRpc));
    const deployment = (await upstreamRpc.getBlock(await upstreamRpc.getBlockNumber()))!.transactions[0]!;
    const forkEpoch = await upstreamRpc.getBlockNumber();

    const node = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--no-fork-cache']);
    t.after(() => node.stop());
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    t.after(() => provider.destroy());
    const created = await deploy(new Wallet(DEV_ACCOUNTS[1]!.privateKey, provider));
    const upstreamHost = new URL(upstream.url).host;

    const page = await open(node, '');
    t.after(() => page.close());
    await screenshot(page, 'fork');
    assert.equal(await page.locator('header.top .badge.fork').textContent(), `forked from ${upstreamHost} at epoch ${forkEpoch}`);
    assert.equal(await page.locator(`section.tipset[data-epoch="${forkEpoch}"] .badge.upstream`).count(), 1);
    assert.equal(await page.locator(`section.tipset[data-epoch="${forkEpoch + 1}"]`).count(), 1);
    assert.equal(await page.locator(`section.tipset[data-epoch="${forkEpoch + 1}"] .badge.upstream`).count(), 0);

    const originOf = async (address: string) => {
      await page.goto(`${node.url}/#/actor/${address}`);
      await page.waitForFunction((hash) => document.querySelector('main')?.getAttribute('data-route') === hash, `#/actor/${address}`);
      return (await facts(page)).Origin;
    };
    assert.equal(await originOf(forked), `forked from ${upstreamHost}: the fork started with it at epoch ${forkEpoch}`);
    assert.equal(await originOf(created), `created on this chain after the fork at epoch ${forkEpoch}`);

    // The fork epoch's tipset and those before it are the upstream's.
    for (const epoch of [forkEpoch, forkEpoch - 1]) {
      await page.goto(`${node.url}/#/tipset/${epoch}`);
      await page.waitForFunction((hash) => document.querySelector('main')?.getAttribute('data-route') === hash, `#/tipset/${epoch}`);
      assert.equal((await facts(page)).Epoch, `${epoch} upstream`);
      assert.equal((await facts(page))['Block hash'], (await upstreamRpc.getBlock(epoch))!.hash);
    }
    // An upstream transaction, as the fork passes it through.
    await page.goto(`${node.url}/#/message/${deployment}`);
    await page.waitForFunction((hash) => document.querySelector('main')?.getAttribute('data-route') === hash, `#/message/${deployment}`);
    const message = await facts(page);
    assert.equal(message.Hash, deployment);
    assert.match(message.To!, new RegExp(`^new contract 0x${forked.slice(2, 8)}`));
  });
});

describe('the explorer on a long chain', () => {
  test('with 10 000 tipsets the front page reads one page of them, and Older goes on from there', async (t) => {
    const node = await startDevnet(['--storage-providers', '0']);
    t.after(() => node.stop());
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    t.after(() => provider.destroy());
    // anvil_mine mines each epoch as a tipset up to 1 000 at a time (more would be null rounds).
    for (let i = 0; i < 10; i++) await provider.send('anvil_mine', ['0x3e8']);
    assert.equal(await provider.getBlockNumber(), 10_000);

    const page = await browser.newPage({ viewport: DESKTOP });
    t.after(() => page.close());
    const rpcRequests: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') rpcRequests.push(request.postData() ?? '');
    });
    await page.goto(`${node.url}/`);
    await page.waitForSelector('main[data-ready]');
    const epochs = await page.$$eval('section.tipset', (sections) => sections.map((s) => Number(s.getAttribute('data-epoch'))));
    assert.deepEqual(epochs, Array.from({ length: 20 }, (_, i) => 10_000 - i));
    // The head (for the counter and the page), the fork point (anvil_nodeInfo), one batch of 20
    // blocks (no messages, so no receipts): whatever the chain's length.
    assert.ok(rpcRequests.length <= 4, `the front page made ${rpcRequests.length} JSON-RPC requests`);
    const blocksAsked = rpcRequests.map((body) => (body.match(/eth_getBlockByNumber/g) ?? []).length).reduce((a, b) => a + b, 0);
    assert.equal(blocksAsked, 20);

    await page.click('nav.pager >> text=Older →');
    await page.waitForFunction(() => document.querySelector('section.tipset')?.getAttribute('data-epoch') === '9980');
    const older = await page.$$eval('section.tipset', (sections) => sections.map((s) => Number(s.getAttribute('data-epoch'))));
    assert.deepEqual(older, Array.from({ length: 20 }, (_, i) => 9_980 - i));
    assert.equal(await page.locator('nav.pager .muted').first().textContent(), 'epochs 9,961–9,980 of 10,000');
  });
});
