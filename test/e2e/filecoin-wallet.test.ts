// A wallet's round trip against the devnet CLI with unmodified clients: keys the node makes
// (WalletNew) export as `lotus wallet export` does and load into iso-filecoin's wallet; what it signs
// the node verifies (WalletVerify); a message is checked as `lotus send` checks it
// (MpoolCheckMessages), pushed in a batch (MpoolBatchPush) and found again; market escrow moves with
// MarketAddBalance / MarketWithdraw; a push from an ID address is signed with the key it names, so is
// WalletSign / WalletSignMessage with one, and MpoolPush refuses a message whose From is an ID; a new
// f1's Ethereum form through iso-filecoin, at 'latest' and at its default 'finalized'.
// Calls go through Glif's Lotus client.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Message } from 'iso-filecoin/message';
import { RPC } from 'iso-filecoin/rpc';
import { accountFromLotus, sign, signMessage } from 'iso-filecoin/wallet';
import { fundFromDefaultWallet, glifClient, type LotusClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FIL = 10n ** 18n;

describe('a wallet\'s round trip with Glif\'s client and iso-filecoin', () => {
  const node = useDevnet();
  let lotus: LotusClient;
  let iso: RPC;

  before(() => {
    lotus = glifClient(node.url);
    iso = new RPC({ api: `${node.url}/rpc/v1`, network: 'testnet' });
  });

  for (const type of ['secp256k1', 'bls'] as const) {
    test(`a ${type} key from WalletNew signs with iso-filecoin, is checked, batch-pushed and mined`, async () => {
      const address = await lotus.request('WalletNew', type);
      const exported = await lotus.request('WalletExport', address);
      // `lotus wallet export` prints the KeyInfo JSON as hex; iso-filecoin reads that.
      const account = accountFromLotus(Buffer.from(JSON.stringify(exported)).toString('hex'), 'testnet');
      assert.equal(account.address.toString(), address);
      const data = new TextEncoder().encode('hello from iso-filecoin');
      const signature = sign(account.privateKey!, account.type, data);
      assert.equal(await lotus.request('WalletVerify', address, Buffer.from(data).toString('base64'), signature.toLotus()), true);

      const funder = await lotus.request('WalletDefaultAddress');
      const funded = await lotus.request('MpoolPushMessage', { From: funder, To: address, Value: (5n * FIL).toString(), Method: 0 }, null);
      assert.equal((await lotus.request('StateWaitMsg', funded.CID, 1, -1, true)).Receipt.ExitCode, 0);

      const message = await new Message({ from: address, to: funder, value: FIL.toString() }).prepare(iso);
      const lotusMessage = message.toLotus();
      const checks = await lotus.request('MpoolCheckMessages', [{ Message: lotusMessage, ValidNonce: true }]);
      assert.ok(checks[0].every((c: { OK: boolean }) => c.OK), JSON.stringify(checks));
      const sig = signMessage(account.privateKey!, account.type, message);
      const [cid] = await lotus.request('MpoolBatchPush', [{ Message: lotusMessage, Signature: sig.toLotus() }]);
      assert.equal((await lotus.request('StateWaitMsg', cid, 1, -1, true)).Receipt.ExitCode, 0);
      assert.deepEqual(await lotus.request('StateListMessages', { From: address }, null, 0), [cid]);
    });
  }

  test('market escrow with MarketAddBalance and MarketWithdraw from the default wallet', async () => {
    const wallet = await lotus.request('WalletDefaultAddress');
    const before = BigInt((await lotus.request('StateMarketBalance', wallet, null)).Escrow);
    const added = await lotus.request('MarketAddBalance', wallet, wallet, (3n * FIL).toString());
    assert.equal((await lotus.request('StateWaitMsg', added, 1, -1, true)).Receipt.ExitCode, 0);
    const withdrawn = await lotus.request('MarketWithdraw', wallet, wallet, FIL.toString());
    assert.equal((await lotus.request('StateWaitMsg', withdrawn, 1, -1, true)).Receipt.ExitCode, 0);
    assert.equal(BigInt((await lotus.request('StateMarketBalance', wallet, null)).Escrow), before + 2n * FIL);
    await assert.rejects(lotus.request('MarketWithdraw', wallet, wallet, (1000n * FIL).toString()), /insufficient funds for withdrawal/);
  });

  // iso-filecoin's getIDAddress / Address.toIdAddress default to safety 'finalized': a lookup at the
  // tipset 900 epochs before the head's parent (lookBackTipSet), which a chain younger than that does
  // not have, as on a young Lotus devnet; 'latest' (README, Filecoin JavaScript libraries) looks at the head.
  test('iso-filecoin\'s ID lookups: safety \'latest\' answers; a lookback before genesis is Lotus\'s error', async () => {
    const f410 = await lotus.request('EthAddressToFilecoinAddress', '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266');
    const id = await iso.getIDAddress({ address: f410, safety: 'latest' });
    assert.equal(id.error, undefined);
    assert.equal(id.result, await lotus.request('StateLookupID', f410, null));
    // The request lookBackTipSet(900) sends once its clock check passes.
    const head = (await iso.chainHead()).result!;
    const back = await iso.getTipSetByHeight({ height: head.Height - 1 - 900, tipSetKey: head.Cids });
    assert.equal(back.error?.message, `height ${head.Height - 1 - 900} is negative`);
    assert.equal((back.error?.cause as { code?: number } | undefined)?.code, 1);
  });

  // Lotus resolves an f1/f2/f3 at 'finalized' when no block is given (lotus 8c51a813
  // node/impl/eth/filecoin.go), and iso-filecoin sends 'finalized' unless told: an account funded a
  // moment ago is not found until F3 finalizes the tipset that made it, --f3-lag (10) epochs on
  // (README, Filecoin JavaScript libraries: U86); 'latest' finds it at once.
  test("iso-filecoin's filecoinAddressToEthAddress of a new f1: 'latest' answers its masked ID at once, its default 'finalized' only --f3-lag epochs on", async () => {
    const address = await lotus.request('WalletNew', 'secp256k1');
    await fundFromDefaultWallet(lotus, [address], FIL);
    const id: string = await lotus.request('StateLookupID', address, null);
    const masked = '0xff' + BigInt(id.slice(2)).toString(16).padStart(38, '0');
    assert.deepEqual(await iso.filecoinAddressToEthAddress({ address, blockNumber: 'latest' }), { result: masked, error: undefined });
    for (let mined = 0; mined < 10; mined++) {
      const early = await iso.filecoinAddressToEthAddress({ address });
      assert.match(String(early.error?.message), new RegExp(`failed to lookup ID address for given Filecoin address ${address} .*'blkParam': "finalized".*actor not found`), `after ${mined} tipsets`);
      await node.provider.send('evm_mine', []);
    }
    assert.deepEqual(await iso.filecoinAddressToEthAddress({ address }), { result: masked, error: undefined });
  });

  // StateMinerInfo names a provider's worker by its ID address; Lotus signs a push from an ID
  // address with the key of the account it names (MpoolPushMessage: "Push from ID address").
  test('MpoolPushMessage from a worker\'s ID address signs with its key, as Lotus does', async () => {
    const [miner] = await lotus.request('StateListMiners', null);
    const { Worker } = await lotus.request('StateMinerInfo', miner, null);
    assert.match(Worker, /^t0\d+$/);
    const key = await lotus.request('StateAccountKey', Worker, null);
    const recipient = await lotus.request('WalletNew', 'bls');
    const pushed = await lotus.request('MpoolPushMessage', { From: Worker, To: recipient, Value: FIL.toString(), Method: 0 }, null);
    assert.equal(pushed.Message.From, key);
    assert.equal((await lotus.request('StateWaitMsg', pushed.CID, 1, -1, true)).Receipt.ExitCode, 0);
    assert.equal(await lotus.request('WalletBalance', recipient), FIL.toString());
  });

  // The same worker ID given to WalletSign / WalletSignMessage: Lotus resolves it to its key first
  // (node/impl/full/wallet.go); MpoolPush verifies a signature against From as it is, which an ID
  // cannot be (lib/sigs/sigs.go Verify), so a message must name the key address (P4).
  test('WalletSign and WalletSignMessage with a worker\'s ID address sign with its key; MpoolPush refuses From an ID', async () => {
    const [miner] = await lotus.request('StateListMiners', null);
    const { Worker } = await lotus.request('StateMinerInfo', miner, null);
    const key = await lotus.request('StateAccountKey', Worker, null);
    const data = Buffer.from('signed by a worker ID').toString('base64');
    assert.equal(await lotus.request('WalletVerify', key, data, await lotus.request('WalletSign', Worker, data)), true);
    const nonce = await lotus.request('MpoolGetNonce', key);
    const fields = { Version: 0, To: 't0100', Value: '1', Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null };
    const fromId = await lotus.request('WalletSignMessage', Worker, { ...fields, From: Worker });
    await assert.rejects(lotus.request('MpoolPush', fromId), /must resolve ID addresses before using them to verify a signature/);
    // Lotus's other push checks (P5): a send to an f4 address no key or contract can use, all the FIL there will ever be, a gas limit of 0.
    const blackHole = 't410fa4dqobyha4dqobyha4dqobyha4dqobyha6i3ozgh';
    await assert.rejects(lotus.request('MpoolPush', await lotus.request('WalletSignMessage', key, { ...fields, From: key, To: blackHole })), /failed sanity check: message recipient t410fa4dq\w+ is a delegated address but not a valid Eth Address/);
    await assert.rejects(lotus.request('MpoolPush', await lotus.request('WalletSignMessage', key, { ...fields, From: key, Value: (2_000_000_000n * FIL).toString() })), /cannot send more filecoin than will ever exist/);
    await assert.rejects(lotus.request('MpoolPush', await lotus.request('WalletSignMessage', key, { ...fields, From: key, GasLimit: 0 })), /'GasLimit' field 0 must be positive/);
    const fromKey = await lotus.request('WalletSignMessage', Worker, { ...fields, From: key });
    const cid = await lotus.request('MpoolPush', fromKey);
    assert.equal((await lotus.request('StateWaitMsg', cid, 1, -1, true)).Receipt.ExitCode, 0);
  });
});
