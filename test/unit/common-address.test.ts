// Filecoin addresses: published vectors (go-address address_test.go, lotus ethtypes rlp_test.go),
// f410 strings rebuilt here with an independent base32 + blake2b, and the error cases go-address rejects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import {
  EAM_NAMESPACE,
  FilAddress,
  Protocol,
  isMaskedId,
  maskedId,
  maskedIdAddress,
} from '../../src/common/address.js';
import { InvalidAddressError } from '../../src/common/errors.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** RFC 4648 base32, lowercase, no padding: the alphabet Filecoin address strings use. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
      value &= (1 << bits) - 1;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The f410 string of an Ethereum address, built from the spec (lotus-eth-rpc.md §4.1), not from src. */
function f410String(eth: Uint8Array, network: 'f' | 't'): string {
  const addressBytes = new Uint8Array([0x04, 0x0a, ...eth]);
  const checksum = blake2b(addressBytes, { dkLen: 4 });
  return `${network}410f${base32(new Uint8Array([...eth, ...checksum]))}`;
}

const throwsInvalid = (fn: () => unknown) => assert.throws(fn, InvalidAddressError);

describe('f410 <-> 0x', () => {
  const vectors: [string, string][] = [
    // lotus chain/types/ethtypes/rlp_test.go
    ['0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef', 'f410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa'],
    ['0xd4c5fb16488aa48081296299d54b0c648c9333da', 'f410f2tc7wfsirksibajjmkm5ksymmsgjgm62hjnomwa'],
  ];

  for (const [eth, fil] of vectors) {
    test(`${eth} <-> ${fil}`, () => {
      const fromEth = FilAddress.fromEthAddress(hex(eth));
      assert.equal(fromEth.protocol, Protocol.Delegated);
      assert.equal(fromEth.toString('f'), fil);
      assert.equal(fromEth.toString('t'), 't' + fil.slice(1));
      // The string rebuilt independently agrees with the published one.
      assert.equal(f410String(hex(eth), 'f'), fil);

      const parsed = FilAddress.parse(fil);
      assert.equal(toHex(parsed.ethAddress!), eth);
      assert.ok(parsed.equals(fromEth));
      assert.equal(toHex(parsed.bytes), '0x040a' + eth.slice(2));
      assert.equal(FilAddress.parse('t' + fil.slice(1)).toString('f'), fil);
    });
  }

  test('the default network of toString is t', () => {
    assert.equal(FilAddress.fromEthAddress(hex(vectors[0][0])).toString(), 't' + vectors[0][1].slice(1));
  });

  test('an independently built f410 string parses back to the same address', () => {
    const eth = keccak_256(new TextEncoder().encode('some account')).subarray(12);
    const text = f410String(eth, 't');
    assert.equal(toHex(FilAddress.parse(text).ethAddress!), toHex(eth));
    assert.equal(FilAddress.fromDelegated(EAM_NAMESPACE, eth).toString('t'), text);
  });

  test('a delegated address in another namespace has no Ethereum address but round-trips', () => {
    const addr = FilAddress.fromDelegated(32, hex('0x0102030405'));
    assert.equal(addr.ethAddress, undefined);
    const text = addr.toString('f');
    assert.ok(text.startsWith('f432f'), text);
    assert.ok(FilAddress.parse(text).equals(addr));
    assert.ok(FilAddress.fromBytes(addr.bytes).equals(addr));
    // A namespace-10 subaddress that is not 20 bytes is not an Ethereum address either.
    assert.equal(FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(19)).ethAddress, undefined);
  });

  // fidaudit F8h: go-address parses an f410 of a masked ID; Lotus refuses it only where it converts
  // it to an Ethereum address (ethtypes.IsEthAddress is false for it).
  test('an f410 that embeds a masked ID round-trips but has no Ethereum address', () => {
    const masked = hex('0xff00000000000000000000000000000000000064');
    const addr = FilAddress.fromDelegated(EAM_NAMESPACE, masked);
    assert.equal(addr.ethAddress, undefined);
    assert.deepEqual([addr.namespace, addr.subaddress], [EAM_NAMESPACE, masked]);
    assert.equal(addr.toString(), 't410f74aaaaaaaaaaaaaaaaaaaaaaaaaaaadep73vx2q');
    assert.ok(FilAddress.parse('t410f74aaaaaaaaaaaaaaaaaaaaaaaaaaaadep73vx2q').equals(addr));
    assert.ok(FilAddress.fromBytes(addr.bytes).equals(addr));
  });

  test('subaddresses longer than 54 bytes are rejected', () => {
    assert.equal(FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(54)).payload.length, 55);
    throwsInvalid(() => FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(55)));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([0x04, 0x0a, ...new Uint8Array(55)])));
  });
});

describe('f0 ID addresses', () => {
  test('f0100: bytes 0x0064, string, masked ID', () => {
    const a = FilAddress.fromId(100);
    assert.equal(toHex(a.bytes), '0x0064');
    assert.equal(a.toString('f'), 'f0100');
    assert.equal(a.toString('t'), 't0100');
    assert.equal(a.id, 100);
    assert.equal(toHex(maskedIdAddress(100)), '0xff00000000000000000000000000000000000064');
    assert.ok(FilAddress.fromBytes(hex('0x0064')).equals(a));
    assert.ok(FilAddress.parse('f0100').equals(a));
  });

  test('go-address ID vectors round-trip through strings and bytes', () => {
    // go-address TestVectorsIDAddress, with the LEB128 bytes worked out by hand.
    const vectors: [number, string, string][] = [
      [0, 't00', '0x0000'],
      [1, 't01', '0x0001'],
      [10, 't010', '0x000a'],
      [150, 't0150', '0x009601'],
      [499, 't0499', '0x00f303'],
      [1024, 't01024', '0x008008'],
      [1729, 't01729', '0x00c10d'],
      [999999, 't0999999', '0x00bf843d'],
    ];
    for (const [id, text, bytes] of vectors) {
      const a = FilAddress.fromId(id);
      assert.equal(a.toString(), text);
      assert.equal(toHex(a.bytes), bytes, text);
      assert.equal(FilAddress.parse(text).id, id);
      assert.equal(FilAddress.fromBytes(hex(bytes)).id, id);
    }
  });

  test('non-f0 addresses have no id', () => {
    assert.equal(FilAddress.fromEthAddress(hex('0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef')).id, undefined);
  });

  test('invalid IDs and ID strings are rejected', () => {
    throwsInvalid(() => FilAddress.fromId(-1));
    throwsInvalid(() => FilAddress.fromId(1.5));
    throwsInvalid(() => FilAddress.fromId(Number.MAX_SAFE_INTEGER + 1));
    throwsInvalid(() => FilAddress.parse('t0banananananannnnnnn')); // go-address: ErrInvalidPayload
    throwsInvalid(() => FilAddress.parse('t0-1'));
    throwsInvalid(() => FilAddress.parse('t01 '));
    throwsInvalid(() => FilAddress.parse('t0')); // too short
  });

  test('bytes with trailing data after the ID are rejected', () => {
    throwsInvalid(() => FilAddress.fromBytes(hex('0x006400')));
  });

  // go-address TestIDEdgeCase: {0, 0x80} is a truncated uvarint.
  test('a truncated varint is an InvalidAddressError', () => {
    throwsInvalid(() => FilAddress.fromBytes(hex('0x0080')));
  });

  // go-varint (used by go-address) rejects non-minimal encodings; 0x80 0x00 is a padded 0.
  test('a non-minimal varint is an InvalidAddressError', () => {
    throwsInvalid(() => FilAddress.fromBytes(hex('0x008000')));
    throwsInvalid(() => FilAddress.fromBytes(hex('0x04' + '8a00' + '00'.repeat(20))));
  });

  // go-address TestIDMax: 2^64 as a uvarint cannot be parsed.
  test('an over-long varint is an InvalidAddressError', () => {
    throwsInvalid(() => FilAddress.fromBytes(hex('0x00ffffffffffffffffff01')));
  });
});

describe('f1 / f2 / f3', () => {
  // go-address TestVectorSecp256k1Address (first vector): the uncompressed public key and its address.
  const PUBKEY =
    '0x049402fac37e6432a416a3a0ca5426b5185ab3b24f6134efa25ce487c82d2e4e13bf452511e0d2245421f8613bc10d72fa216666a96c3bc13920d3ff233fd0bc05';

  test('f1 published vector: blake2b-160 of the public key', () => {
    const a = FilAddress.fromPayload(Protocol.Secp256k1, blake2b(hex(PUBKEY), { dkLen: 20 }));
    assert.equal(a.toString('t'), 't15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq');
    assert.equal(a.toString('f'), 'f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq');
    const parsed = FilAddress.parse('f15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq');
    assert.equal(parsed.protocol, Protocol.Secp256k1);
    assert.deepEqual(parsed.payload, blake2b(hex(PUBKEY), { dkLen: 20 }));
    assert.ok(FilAddress.fromBytes(parsed.bytes).equals(parsed));
  });

  test('f1 from a key made with @noble/curves round-trips through string and bytes', () => {
    const secret = hex('0x' + '42'.repeat(32));
    const pub = secp256k1.getPublicKey(secret, false);
    assert.equal(pub.length, 65);
    const a = FilAddress.fromPayload(Protocol.Secp256k1, blake2b(pub, { dkLen: 20 }));
    assert.equal(a.bytes.length, 21);
    assert.equal(a.bytes[0], 1);
    const text = a.toString('f');
    assert.match(text, /^f1[a-z2-7]{39}$/);
    // Built independently: base32(payload ‖ blake2b-32(protocol ‖ payload)).
    assert.equal(text, 'f1' + base32(new Uint8Array([...a.payload, ...blake2b(a.bytes, { dkLen: 4 })])));
    assert.ok(FilAddress.parse(text).equals(a));
    assert.ok(FilAddress.fromBytes(a.bytes).equals(a));
  });

  test('the other go-address f1 vectors parse and re-encode', () => {
    for (const text of [
      't12fiakbhe2gwd5cnmrenekasyn6v5tnaxaqizq6a',
      't1wbxhu3ypkuo6eyp6hjx6davuelxaxrvwb2kuwva',
      't1xtwapqc6nh4si2hcwpr3656iotzmlwumogqbuaa',
      't1xcbgdhkgkwht3hrrnui3jdopeejsoatkzmoltqy',
      't17uoq6tp427uzv7fztkbsnn64iwotfrristwpryy',
    ]) {
      assert.equal(FilAddress.parse(text).toString('t'), text);
    }
  });

  test('f2 published vector: blake2b-160 of the actor data', () => {
    const a = FilAddress.fromPayload(Protocol.Actor, blake2b(hex('0x76128190cdf068d1418044acc03e0b6781970d60'), { dkLen: 20 }));
    assert.equal(a.toString('t'), 't24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i');
    assert.ok(FilAddress.parse('f24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i').equals(a));
  });

  test('f3 published vector: the BLS public key is the payload', () => {
    const key = hex('0xad58df696e2d4e91ea86c881e938ba4ea81b395e12797b84b9cf314b9546705e839c7a99d606b247ddb4f9ac7a3414dd');
    const text = 't3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a';
    const a = FilAddress.fromPayload(Protocol.BLS, key);
    assert.equal(a.toString('t'), text);
    const parsed = FilAddress.parse(text);
    assert.deepEqual(parsed.payload, key);
    assert.ok(FilAddress.fromBytes(parsed.bytes).equals(a));
  });

  test('wrong payload lengths are rejected (go-address TestInvalidByteAddresses)', () => {
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([1, ...new Uint8Array(19)])));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([1, ...new Uint8Array(21)])));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([2, ...new Uint8Array(19)])));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([2, ...new Uint8Array(21)])));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([3, ...new Uint8Array(47)])));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([3, ...new Uint8Array(49)])));
    throwsInvalid(() => FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(32)));
  });
});

describe('string parsing errors (go-address TestInvalidStringAddresses)', () => {
  test('unknown network', () => {
    throwsInvalid(() => FilAddress.parse('Q2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y'));
  });

  test('wrong network when one is required', () => {
    assert.equal(FilAddress.parse('t2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y', 't').protocol, Protocol.Actor);
    throwsInvalid(() => FilAddress.parse('t2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y', 'f'));
    throwsInvalid(() => FilAddress.parse('f0100', 't'));
  });

  test('unknown protocol', () => {
    throwsInvalid(() => FilAddress.parse('t9gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y'));
    throwsInvalid(() => FilAddress.parse('txgfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y'));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([5, 1, 2])));
  });

  test('bad checksum', () => {
    throwsInvalid(() => FilAddress.parse('t2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr24y'));
    // One flipped character in an f410.
    throwsInvalid(() => FilAddress.parse('f410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxb'));
    // A valid f410 body under another namespace fails the checksum.
    throwsInvalid(() => FilAddress.parse('f411fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa'));
  });

  test('characters outside the base32 alphabet', () => {
    throwsInvalid(() => FilAddress.parse('t2gfvuyh7v2sx3patm1k23wdzmhyhtmqctasbr24y'));
    throwsInvalid(() => FilAddress.parse('t2gfvuyh7v2sx3paTm1k23wdzmhyhtmqctasbr24y'));
    throwsInvalid(() => FilAddress.parse('f410fKKLD55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa'));
  });

  test('too short', () => {
    throwsInvalid(() => FilAddress.parse('t2'));
    throwsInvalid(() => FilAddress.parse('t1234'));
    throwsInvalid(() => FilAddress.parse(''));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array([0])));
    throwsInvalid(() => FilAddress.fromBytes(new Uint8Array()));
  });

  test('malformed delegated strings', () => {
    throwsInvalid(() => FilAddress.parse('f4f'));
    throwsInvalid(() => FilAddress.parse('f410f'));
    throwsInvalid(() => FilAddress.parse('f4010fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa')); // leading zero namespace
    throwsInvalid(() => FilAddress.parse('f4xfkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa'));
  });
});

describe('masked IDs', () => {
  test('maskedId and isMaskedId on masked addresses', () => {
    assert.equal(maskedId(hex('0xff00000000000000000000000000000000000064')), 100);
    assert.equal(maskedId(hex('0xff00000000000000000000000000000000000000')), 0);
    assert.equal(maskedId(hex('0xff0000000000000000000000000000000000000a')), 10);
    assert.equal(maskedId(maskedIdAddress(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.equal(toHex(maskedIdAddress(Number.MAX_SAFE_INTEGER)), '0xff0000000000000000000000001fffffffffffff');
    assert.ok(isMaskedId(hex('0xff00000000000000000000000000000000000064')));
  });

  test('non-masked addresses', () => {
    const notMasked = [
      '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef',
      '0x0000000000000000000000000000000000000064',
      '0xfe00000000000000000000000000000000000001', // a precompile, not a masked ID
      '0xff00000000000000000000010000000000000064', // a non-zero byte inside the 11-byte gap
    ];
    for (const h of notMasked) {
      assert.equal(maskedId(hex(h)), undefined, h);
      assert.equal(isMaskedId(hex(h)), false, h);
    }
    // Wrong lengths are never masked IDs.
    assert.equal(maskedId(hex('0xff000000000000000000000000000000000064')), undefined);
    assert.equal(isMaskedId(hex('0xff000000000000000000000000000000000064')), false);
    assert.equal(isMaskedId(hex('0xff0000000000000000000000000000000000006400')), false);
  });

  test('an ID above 2^53 - 1 is a masked address but has no safe-integer id', () => {
    const big = hex('0xff0000000000000000000000ffffffffffffffff');
    assert.equal(isMaskedId(big), true);
    assert.equal(maskedId(big), undefined);
  });

  test('maskedId reads the bytes of a subarray, not of its whole buffer', () => {
    const buffer = new Uint8Array(30).fill(0xaa);
    buffer.set(hex('0xff00000000000000000000000000000000000064'), 5);
    const view = buffer.subarray(5, 25);
    assert.equal(maskedId(view), 100);
    assert.ok(FilAddress.fromEthAddress(view).equals(FilAddress.fromId(100)));
  });

  test('fromEthAddress: masked -> f0, other -> f410', () => {
    assert.equal(FilAddress.fromEthAddress(hex('0xff00000000000000000000000000000000000064')).toString('f'), 'f0100');
    assert.equal(FilAddress.fromEthAddress(hex('0xff000000000000000000000000000000000003ec')).toString('f'), 'f01004');
    assert.equal(FilAddress.fromEthAddress(hex('0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef')).protocol, Protocol.Delegated);
    throwsInvalid(() => FilAddress.fromEthAddress(new Uint8Array(19)));
    throwsInvalid(() => FilAddress.fromEthAddress(new Uint8Array(21)));
  });

  // fromEthAddress keeps the addresses it made lately by their bytes, one per slot of 1 024
  // (src/common/address.ts): identity of the answer shows whether an address is kept.
  test('fromEthAddress answers from its cache for the same bytes, whatever the array', () => {
    const ethOf = (n: number) => {
      const eth = new Uint8Array(20);
      eth[0] = 0x52;
      new DataView(eth.buffer).setUint32(16, n);
      return eth;
    };
    const kept = ethOf(0x1234);
    const first = FilAddress.fromEthAddress(kept);
    assert.equal(FilAddress.fromEthAddress(kept), first);
    // A new array of the same bytes (a request's) gets the same address.
    assert.equal(FilAddress.fromEthAddress(kept.slice()), first);
    // Addresses of other slots leave it.
    for (let n = 1; n < 1024; n++) if (n !== 0x234) FilAddress.fromEthAddress(ethOf(0x10000 + n));
    assert.equal(FilAddress.fromEthAddress(kept), first);
    // An address of the same slot replaces it: an equal address made anew.
    FilAddress.fromEthAddress(ethOf(0x20000 + 0x1234));
    const remade = FilAddress.fromEthAddress(kept);
    assert.notEqual(remade, first);
    assert.ok(remade.equals(first));

    // An array changed after its address was made gets the address of its new bytes.
    kept[19] ^= 1;
    const changed = FilAddress.fromEthAddress(kept);
    assert.equal(changed.toString(), FilAddress.fromEthAddress(kept.slice()).toString());
    assert.notEqual(changed.toString(), first.toString());
  });

  // Lotus maps a masked ID to an f0 and refuses f410s that embed a masked-ID payload
  // (`f410f addresses cannot embed masked-ID payloads`, lotus-eth-rpc.md §4.1–4.2). A masked ID the devnet
  // cannot represent as an actor ID must therefore be an error, never an f410 of the masked bytes.
  test('a masked ID too large for an actor ID does not become an f410', () => {
    throwsInvalid(() => FilAddress.fromEthAddress(hex('0xff0000000000000000000000ffffffffffffffff')));
  });
});

describe('keys', () => {
  test('key is stable and distinguishes addresses', () => {
    assert.equal(FilAddress.fromId(100).key, FilAddress.parse('t0100').key);
    assert.notEqual(FilAddress.fromId(100).key, FilAddress.fromId(101).key);
  });
});
