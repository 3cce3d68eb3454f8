// Filecoin messages as Lotus serializes them (chain/types/message.go, signedmessage.go). Expected CBOR
// is written out by hand, field by field.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2b } from '@noble/hashes/blake2.js';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import {
  METHOD_CREATE_EXTERNAL,
  METHOD_INVOKE_CONTRACT,
  SigType,
  chainSize,
  decodeBytesParams,
  decodeSignedMessage,
  encodeBytesParams,
  encodeMessage,
  encodeSignedMessage,
  messageCid,
  messageWith,
  signedMessageCid,
  type Message,
  type SignedMessage,
} from '../../src/fevm/message.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
/** `m` through its signed encoding and back, the way the node reads saved messages. */
const roundTrip = (m: Message): Message =>
  decodeSignedMessage(encodeSignedMessage({ message: m, signature: { type: SigType.Secp256k1, data: new Uint8Array(65) } })).message;
const cidBytes = (data: Uint8Array) => new Uint8Array([0x01, 0x71, 0xa0, 0xe4, 0x02, 0x20, ...blake2b(data, { dkLen: 32 })]);

const ETH = '52963ef50e27e06d72d59fcb4f3c2a687be3cfef';

const message: Message = {
  version: 0,
  to: FilAddress.fromId(100),
  from: FilAddress.parse('f410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa'),
  nonce: 5,
  value: 1000n,
  gasLimit: 1_000_000,
  gasFeeCap: 100n,
  gasPremium: 0n,
  method: METHOD_INVOKE_CONTRACT,
  params: hex('0x44deadbeef'),
};

const EXPECTED_CBOR =
  '0x8a' + // array(10)
  '00' + // version 0
  '420064' + // to: bytes(2) f0100
  '56040a' + ETH + // from: bytes(22) f410
  '05' + // nonce 5
  '430003e8' + // value 1000: bytes(3) 00 03e8
  '1a000f4240' + // gasLimit 1,000,000: uint32
  '420064' + // gasFeeCap 100
  '40' + // gasPremium 0: empty bytes
  '1ae525aa15' + // method 3844450837 = 0xe525aa15
  '4544deadbeef'; // params: bytes(5)

describe('message CBOR', () => {
  test('METHOD numbers', () => {
    assert.equal(METHOD_INVOKE_CONTRACT, 3844450837);
    assert.equal(METHOD_CREATE_EXTERNAL, 4);
  });

  test('a message is a 10-field tuple, byte for byte', () => {
    const bytes = encodeMessage(message);
    assert.equal(toHex(bytes), EXPECTED_CBOR);
    const tuple = decodeCbor<unknown[]>(bytes);
    assert.equal(tuple.length, 10);
  });

  test('empty params and zero value are empty byte strings', () => {
    const bytes = encodeMessage({ ...message, value: 0n, params: new Uint8Array(), method: 0 });
    const tuple = decodeCbor<unknown[]>(bytes);
    assert.deepEqual(tuple[4], new Uint8Array());
    assert.equal(tuple[8], 0);
    assert.deepEqual(tuple[9], new Uint8Array());
  });

  test('a message decoded from its signed form (decodeSignedMessage, as saved chains are read) encodes as before', () => {
    const values: Message[] = [
      message,
      { ...message, value: 10n ** 30n, gasFeeCap: 2n ** 100n, gasPremium: 123_456n, nonce: 2 ** 40, params: new Uint8Array() },
      { ...message, to: FilAddress.parse('t15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq'), method: 0 },
    ];
    for (const m of values) {
      const d = roundTrip(m);
      assert.equal(d.version, m.version);
      assert.ok(d.to.equals(m.to));
      assert.ok(d.from.equals(m.from));
      assert.equal(d.nonce, m.nonce);
      assert.equal(d.value, m.value);
      assert.equal(d.gasLimit, m.gasLimit);
      assert.equal(d.gasFeeCap, m.gasFeeCap);
      assert.equal(d.gasPremium, m.gasPremium);
      assert.equal(d.method, m.method);
      assert.deepEqual(d.params, m.params);
      assert.equal(toHex(encodeMessage(d)), toHex(encodeMessage(m)));
    }
  });

  test('decodeSignedMessage rejects a message tuple of the wrong length', () => {
    const tuple = decodeCbor<unknown[]>(encodeMessage(message));
    const signed = (m: unknown) => encodeCbor([m, new Uint8Array([SigType.Secp256k1, ...new Uint8Array(65)])]);
    // The message tuple's own error, not the [message, signature] wrapper's.
    const wrongLength = /a message is a 10-field CBOR tuple/;
    assert.throws(() => decodeSignedMessage(signed(tuple.slice(0, 9))), wrongLength);
    assert.throws(() => decodeSignedMessage(signed([...tuple, 0])), wrongLength);
    assert.throws(() => decodeSignedMessage(signed({ a: 1 })), wrongLength);
  });
});

describe('CIDs and chain size', () => {
  const rs = new Uint8Array(64).fill(0x11);
  const delegated: SignedMessage = { message, signature: { type: SigType.Delegated, data: new Uint8Array([...rs, 1]) } };

  test('messageCid is the blake2b-256 dag-cbor CID of the unsigned CBOR', () => {
    const cid = messageCid(message);
    assert.deepEqual(cid.bytes, cidBytes(hex(EXPECTED_CBOR)));
    assert.ok(cid.toString().startsWith('bafy2bza'));
  });

  test('a signed message is [message, type ‖ signature]', () => {
    const expected = '0x82' + EXPECTED_CBOR.slice(2) + '5842' + '03' + '11'.repeat(64) + '01';
    assert.equal(toHex(encodeSignedMessage(delegated)), expected);
  });

  test('a delegated signature: the signed CID differs from the unsigned one', () => {
    const signed = signedMessageCid(delegated);
    assert.deepEqual(signed.bytes, cidBytes(encodeSignedMessage(delegated)));
    assert.notEqual(signed.toString(), messageCid(message).toString());
    assert.equal(chainSize(delegated), encodeMessage(message).length + 1 + 2 + 66);
  });

  test('secp256k1 signatures also use the signed CID', () => {
    const secp: SignedMessage = { message, signature: { type: SigType.Secp256k1, data: new Uint8Array(65) } };
    assert.deepEqual(signedMessageCid(secp).bytes, cidBytes(encodeSignedMessage(secp)));
    assert.equal(chainSize(secp), encodeSignedMessage(secp).length);
  });

  test('BLS messages are identified and sized by the unsigned message', () => {
    const bls: SignedMessage = { message, signature: { type: SigType.BLS, data: new Uint8Array(96) } };
    assert.equal(signedMessageCid(bls).toString(), messageCid(message).toString());
    assert.equal(chainSize(bls), encodeMessage(message).length);
  });

  test('the CID depends on the signature', () => {
    const other: SignedMessage = { message, signature: { type: SigType.Delegated, data: new Uint8Array([...rs, 0]) } };
    assert.notEqual(signedMessageCid(other).toString(), signedMessageCid(delegated).toString());
  });
});

describe('messageWith', () => {
  test('changes only the nonce or gas limit it is given, and leaves the message as it was', () => {
    assert.deepEqual(messageWith(message, { nonce: 9 }), { ...message, nonce: 9 });
    assert.deepEqual(messageWith(message, { gasLimit: 10_000_000_000 }), { ...message, gasLimit: 10_000_000_000 });
    assert.deepEqual(messageWith(message, {}), message);
    assert.equal(message.nonce, 5);
    assert.equal(message.gasLimit, 1_000_000);
  });

  test('its fields come in the order decoded messages have them (one V8 shape)', () => {
    assert.deepEqual(Object.keys(messageWith(message, { nonce: 9 })), Object.keys(roundTrip(message)));
  });
});

describe('bytes params', () => {
  test('a CBOR byte string; none for no bytes; anything else is not bytes', () => {
    const params = encodeBytesParams(hex('0xa9059cbb'));
    assert.equal(toHex(params), '0x44a9059cbb');
    assert.equal(toHex(decodeBytesParams(params)!), '0xa9059cbb');
    assert.equal(encodeBytesParams(new Uint8Array()).length, 0);
    assert.equal(decodeBytesParams(new Uint8Array())!.length, 0);
    assert.equal(decodeBytesParams(encodeCbor(7)), undefined);
  });

  test('decoding reads the params it is given, not what was encoded last', () => {
    const params = encodeBytesParams(hex('0x01020304'));
    params[4] = 0xff;
    assert.equal(toHex(decodeBytesParams(params)!), '0x010203ff');
  });
});
