// Filecoin.EthAddressToFilecoinAddress and Filecoin.FilecoinAddressToEthAddress through the HTTP
// layer (lotus-eth-rpc.md §1.1, §4.1, §4.2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { concatBytes, hexToBytes } from '../../src/common/hex.js';
import { base32, t410 } from '../helpers/f410.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const VECTOR_ETH = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
const VECTOR_T410 = 't410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa';
const VECTOR2_ETH = '0xd4c5fb16488aa48081296299d54b0c648c9333da';
const VECTOR2_T410 = 't410f2tc7wfsirksibajjmkm5ksymmsgjgm62hjnomwa';

describe('Filecoin.EthAddressToFilecoinAddress', () => {
  test('0x addresses become t410f addresses (Lotus\'s test vectors)', async (t) => {
    const { result } = await setupRpc(t);
    assert.equal(t410(hexToBytes(VECTOR_ETH)), VECTOR_T410);
    assert.equal(await result('Filecoin.EthAddressToFilecoinAddress', [VECTOR_ETH]), VECTOR_T410);
    assert.equal(await result('Filecoin.EthAddressToFilecoinAddress', [VECTOR2_ETH]), VECTOR2_T410);
    // Case does not matter on the way in.
    assert.equal(await result('Filecoin.EthAddressToFilecoinAddress', ['0x52963EF50E27E06D72D59FCB4F3C2A687BE3CFEF']), VECTOR_T410);
  });

  test('a masked ID address becomes the t0 address of that ID', async (t) => {
    const { result } = await setupRpc(t);
    assert.equal(await result('Filecoin.EthAddressToFilecoinAddress', ['0xff00000000000000000000000000000000000064']), 't0100');
    assert.equal(await result('Filecoin.EthAddressToFilecoinAddress', ['0xff000000000000000000000000000000000003e8']), 't01000');
  });

  test('a malformed address is -32602', async (t) => {
    const { error } = await setupRpc(t);
    assert.equal((await error('Filecoin.EthAddressToFilecoinAddress', ['0x1234'])).code, -32602);
    assert.equal((await error('Filecoin.EthAddressToFilecoinAddress', ['f0100'])).code, -32602);
    assert.equal((await error('Filecoin.EthAddressToFilecoinAddress', [])).code, -32602);
  });
});

describe('Filecoin.FilecoinAddressToEthAddress', () => {
  test('t410f and f410f addresses convert to their 0x address', async (t) => {
    const { result } = await setupRpc(t);
    assert.equal(await result('Filecoin.FilecoinAddressToEthAddress', [VECTOR_T410]), VECTOR_ETH);
    assert.equal(await result('Filecoin.FilecoinAddressToEthAddress', ['f' + VECTOR_T410.slice(1)]), VECTOR_ETH);
    assert.equal(await result('Filecoin.FilecoinAddressToEthAddress', [VECTOR2_T410, 'latest']), VECTOR2_ETH);
  });

  test('ID addresses convert to masked IDs (big-endian ID after 0xff and 11 zero bytes)', async (t) => {
    const { result } = await setupRpc(t);
    assert.equal(await result('Filecoin.FilecoinAddressToEthAddress', ['f0100']), '0xff00000000000000000000000000000000000064');
    assert.equal(await result('Filecoin.FilecoinAddressToEthAddress', ['t01000']), '0xff000000000000000000000000000000000003e8');
    assert.equal(await result('Filecoin.FilecoinAddressToEthAddress', ['t00']), '0xff00000000000000000000000000000000000000');
  });

  test('a bad address is -32602: garbage, a bad checksum, an unknown network', async (t) => {
    const { error } = await setupRpc(t);
    for (const bad of ['bad', 't410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxb', 'x0100', 't0abc', '', 42]) {
      assert.equal((await error('Filecoin.FilecoinAddressToEthAddress', [bad])).code, -32602, JSON.stringify(bad));
    }
  });

  test("a wrong param count is Lotus's code-1 'decoding params' (it decodes its own params: fidaudit F8a)", async (t) => {
    const { error } = await setupRpc(t);
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', []), { code: 1, message: 'decoding params: expected 1 or 2 params, got 0' });
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', ['f0100', 'latest', 'extra']), { code: 1, message: 'decoding params: expected 1 or 2 params, got 3' });
  });

  // fidaudit F8h: such addresses parse (go-address takes them); Lotus refuses them where it converts
  // them (node/impl/eth/filecoin.go; ethtypes EthAddressFromFilecoinAddress, CastEthAddress), code 1.
  test("an f4 address that is no Ethereum address is refused in Lotus's words", async (t) => {
    const { error } = await setupRpc(t);
    const embedded = t410(hexToBytes('0xff00000000000000000000000000000000000064'));
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', [embedded]), {
      code: 1,
      message: 'error converting filecoin address to eth address: f410f addresses cannot embed masked-ID payloads: 0xff00000000000000000000000000000000000064',
    });
    const short = t410(hexToBytes('0x0102'));
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', [short]), {
      code: 1,
      message: 'error converting filecoin address to eth address: cannot parse bytes into an EthAddress: incorrect input length',
    });
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', ['t432f77777777x32lpna']), { code: 1, message: 'invalid filecoin address protocol: t432f77777777x32lpna' });
  });

  test('a key address with no actor is an error', async (t) => {
    const { error } = await setupRpc(t);
    // t1 address of a 20-byte payload of 0x01: checksum over protocol 1 ‖ payload.
    const payload = new Uint8Array(20).fill(1);
    const checksum = blake2b(concatBytes(new Uint8Array([0x01]), payload), { dkLen: 4 });
    const t1 = `t1${base32(concatBytes(payload, checksum))}`;
    // fidaudit F8f: in Lotus's words (lotus b835fab70 node/impl/eth/filecoin.go), which say why a
    // fresh account fails: the default block is `finalized`.
    const explained = (param: string) =>
      `failed to lookup ID address for given Filecoin address ${t1} (ensure that the address has been instantiated on-chain and ` +
      `sufficient epochs have passed since instantiation to confirm to the given 'blkParam': "${param}"): resolve address ${t1}: actor not found`;
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', [t1]), { code: 1, message: explained('finalized') });
    assert.deepEqual(await error('Filecoin.FilecoinAddressToEthAddress', [t1, 'latest']), { code: 1, message: explained('latest') });
  });
});
