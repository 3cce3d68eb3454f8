// Ethereum transactions as Lotus accepts them and the Filecoin messages it makes of them
// (lotus-eth-rpc.md §3). Transactions are signed with ethers 6, or taken from Lotus's own test vectors
// (chain/types/ethtypes/eth_*_transactions_test.go); senders and hashes are checked against ethers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RLP } from '@ethereumjs/rlp';
import { Signature, Transaction, Wallet, keccak256, type TransactionRequest } from 'ethers';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import { MessageRejectedError } from '../../src/common/errors.js';
import { decodeEthTransaction, decodeEthTransactionMessage, ethParamsAndRecipient, toFilecoinMessage, toUnsignedMessage } from '../../src/fevm/eth-tx.js';
import { encodeMessage, METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT, SigType } from '../../src/fevm/message.js';

const CHAIN_ID = 31415926n;
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const toHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
const word = (n: bigint | string) => BigInt(n).toString(16).padStart(64, '0');

const wallet = new Wallet('0x' + '11'.repeat(32));
const TO = '0x' + '22'.repeat(20);

async function sign(tx: TransactionRequest): Promise<string> {
  return wallet.signTransaction(tx);
}

const rejects = (raw: Uint8Array | string, message: RegExp, chainId = CHAIN_ID) =>
  assert.throws(
    () => decodeEthTransaction(typeof raw === 'string' ? hex(raw) : raw, chainId),
    (err: unknown) => err instanceof MessageRejectedError && message.test(err.message),
  );

/** Re-encodes a typed transaction's RLP list with `edit` applied (signature then no longer matches). */
function editTyped(raw: string, edit: (fields: any[]) => void): Uint8Array {
  const bytes = hex(raw);
  const fields = RLP.decode(bytes.subarray(1)) as any[];
  edit(fields);
  return new Uint8Array([bytes[0], ...RLP.encode(fields)]);
}

describe('decodeEthTransaction: EIP-1559', () => {
  test('fields, sender and hash of an ethers-signed transaction', async () => {
    const raw = await sign({
      type: 2,
      chainId: CHAIN_ID,
      nonce: 5,
      to: TO,
      value: 1000n,
      data: '0xdeadbeef',
      gasLimit: 3_000_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 100_000n,
    });
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    const parsed = Transaction.from(raw);
    assert.equal(tx.type, 2);
    assert.equal(tx.chainId, CHAIN_ID);
    assert.equal(tx.nonce, 5);
    assert.equal(toHex(tx.from), wallet.address.toLowerCase());
    assert.equal(toHex(tx.to!), TO);
    assert.equal(tx.value, 1000n);
    assert.equal(toHex(tx.input), '0xdeadbeef');
    assert.equal(tx.gasLimit, 3_000_000);
    assert.equal(tx.maxFeePerGas, 2_000_000_000n);
    assert.equal(tx.maxPriorityFeePerGas, 100_000n);
    assert.equal(toHex(tx.hash), keccak256(raw));
    assert.equal(toHex(tx.hash), parsed.hash);
    assert.equal(tx.v, BigInt(parsed.signature!.yParity));
    assert.equal(tx.r, BigInt(parsed.signature!.r));
    assert.equal(tx.s, BigInt(parsed.signature!.s));
  });

  test('a deployment has no recipient', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: null, data: '0x6000', gasLimit: 1_000_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    assert.equal(tx.to, null);
    assert.equal(toHex(tx.input), '0x6000');
  });

  test('Lotus vector: a 2k-chain deployment with empty data (TestEIP1559Signatures)', () => {
    const raw =
      '0x02f8598401df5e76028301d69083086a5e835532dd808080c080a0457e33227ac7ceee2ef121755e26b872b6fb04221993f9939349bb7b0a3e1595a02d8ef379e1d2a9e30fa61c92623cc9ed72d80cf6a48cfea341cb916bcc0a81bc';
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    assert.equal(tx.nonce, 2);
    assert.equal(tx.maxPriorityFeePerGas, 0x01d690n);
    assert.equal(tx.maxFeePerGas, 0x086a5en);
    assert.equal(tx.gasLimit, 0x5532dd);
    assert.equal(tx.to, null);
    assert.equal(tx.input.length, 0);
    assert.equal(tx.r, 0x457e33227ac7ceee2ef121755e26b872b6fb04221993f9939349bb7b0a3e1595n);
    assert.equal(tx.s, 0x2d8ef379e1d2a9e30fa61c92623cc9ed72d80cf6a48cfea341cb916bcc0a81bcn);
    assert.equal(tx.v, 0n);
    assert.equal(toHex(tx.from), Transaction.from(raw).from!.toLowerCase());
    const { message } = toFilecoinMessage(tx);
    assert.equal(message.to.toString('f'), 'f010');
    assert.equal(message.method, METHOD_CREATE_EXTERNAL);
    assert.equal(message.params.length, 0);
  });

  test('Lotus vector: chain 314, call to the masked ID of f01004 (prepareTxTestcases)', () => {
    const raw =
      '0x02f88682013a8080808094ff000000000000000000000000000000000003ec80a4f8b2cb4f000000000000000000000000ff00000000000000000000000000000000000064c080a0706d871013403cf8b965dfa7f2be5a4d185d746da45b21d5a67c667c26d255d6a02e68a14f386aa325ce8e82d30405107d53103d038cf20e40af961ef3a3963608';
    const tx = decodeEthTransaction(hex(raw), 314n);
    assert.equal(tx.chainId, 314n);
    assert.equal(toHex(tx.to!), '0xff000000000000000000000000000000000003ec');
    assert.equal(toHex(tx.input), '0xf8b2cb4f000000000000000000000000ff00000000000000000000000000000000000064');
    assert.equal(toHex(tx.from), Transaction.from(raw).from!.toLowerCase());
    const { message } = toFilecoinMessage(tx);
    assert.equal(message.to.toString('f'), 'f01004');
    assert.equal(message.method, METHOD_INVOKE_CONTRACT);
    // A CBOR byte string of 36 bytes: 0x58 0x24 ‖ input.
    assert.equal(toHex(message.params), '0x5824' + toHex(tx.input).slice(2));
  });

  test('toUnsignedMessage is the signed message without its signature', () => {
    for (const raw of [
      '0x02f88682013a8080808094ff000000000000000000000000000000000003ec80a4f8b2cb4f000000000000000000000000ff00000000000000000000000000000000000064c080a0706d871013403cf8b965dfa7f2be5a4d185d746da45b21d5a67c667c26d255d6a02e68a14f386aa325ce8e82d30405107d53103d038cf20e40af961ef3a3963608',
      '0x02f8598401df5e76028301d69083086a5e835532dd808080c080a0457e33227ac7ceee2ef121755e26b872b6fb04221993f9939349bb7b0a3e1595a02d8ef379e1d2a9e30fa61c92623cc9ed72d80cf6a48cfea341cb916bcc0a81bc',
    ]) {
      const tx = decodeEthTransaction(hex(raw), raw.startsWith('0x02f886') ? 314n : CHAIN_ID);
      assert.equal(toHex(encodeMessage(toUnsignedMessage(tx))), toHex(encodeMessage(toFilecoinMessage(tx).message)));
    }
  });
});

describe('decodeEthTransaction: legacy', () => {
  test('EIP-155, signed by ethers', async () => {
    const raw = await sign({ type: 0, chainId: CHAIN_ID, nonce: 1, to: TO, value: 7n, gasLimit: 21_000n, gasPrice: 1000n });
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    const parsed = Transaction.from(raw);
    assert.equal(tx.type, 0);
    assert.equal(tx.chainId, CHAIN_ID);
    assert.equal(tx.v, CHAIN_ID * 2n + 35n + BigInt(parsed.signature!.yParity));
    assert.equal(toHex(tx.from), wallet.address.toLowerCase());
    assert.equal(toHex(tx.hash), keccak256(raw));
    assert.equal(tx.maxFeePerGas, 1000n);
    assert.equal(tx.maxPriorityFeePerGas, 1000n);
    assert.equal(tx.value, 7n);
  });

  test('Homestead (no chain id), signed by ethers with chainId 0', async () => {
    const raw = await sign({ type: 0, chainId: 0n, nonce: 2, to: null, data: '0x6000', gasLimit: 60_000n, gasPrice: 1000n });
    const parsed = Transaction.from(raw);
    assert.ok(parsed.signature!.v === 27 || parsed.signature!.v === 28);
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    assert.equal(tx.type, 0);
    assert.equal(tx.chainId, 0n);
    assert.equal(tx.v, BigInt(parsed.signature!.v));
    assert.equal(toHex(tx.from), wallet.address.toLowerCase());
    assert.equal(toHex(tx.hash), keccak256(raw));
    assert.equal(tx.to, null);
  });

  test('Lotus vector: EIP-155 on chain 314 (TestEIP155Tx)', () => {
    const raw =
      '0xf86680843b9aca00835dc1ba94c2dca9a18d4a4057921d1bcb22da05e68e46b1d06480820297a0f91ee69c4603c4f21131467ee9e06ad4a96d0a29fa8064db61f3adaea0eb6e92a07181e306bb8f773d94cc3b75e9835de00c004e072e6630c0c46971d38706bb01';
    const tx = decodeEthTransaction(hex(raw), 314n);
    assert.equal(toHex(tx.from), '0xa2bbb73ac59b256415e91a820b224dbaf2c268fa');
    assert.equal(tx.nonce, 0);
    assert.equal(toHex(tx.to!), '0xc2dca9a18d4a4057921d1bcb22da05e68e46b1d0');
    assert.equal(tx.value, 100n);
    assert.equal(tx.gasLimit, 6_144_442);
    assert.equal(tx.maxFeePerGas, 1_000_000_000n);
    assert.equal(tx.input.length, 0);
    assert.equal(tx.v, 0x297n);
    assert.equal(tx.chainId, 314n);
    const sm = toFilecoinMessage(tx);
    assert.equal(sm.message.from.toString('f'), FilAddress.fromDelegated(EAM_NAMESPACE, hex('0xa2bbb73ac59b256415e91a820b224dbaf2c268fa')).toString('f'));
    assert.equal(sm.message.params.length, 0);
    assert.equal(sm.message.method, METHOD_INVOKE_CONTRACT);
    assert.equal(sm.message.gasFeeCap, 1_000_000_000n);
    assert.equal(sm.message.gasPremium, 1_000_000_000n);
    assert.equal(
      toHex(sm.signature.data),
      '0x02' +
        'f91ee69c4603c4f21131467ee9e06ad4a96d0a29fa8064db61f3adaea0eb6e92' +
        '7181e306bb8f773d94cc3b75e9835de00c004e072e6630c0c46971d38706bb01' +
        '0297',
    );
  });

  test('Lotus vector: Homestead (TestEthLegacyHomesteadTxArgs)', () => {
    const raw =
      '0xf882800182540894095e7baea6a6c7c4c2dfeb977efac326af552d8780a3deadbeef0000000101010010101010101010101010101aaabbbbbbcccccccddddddddd1ba048b55bfa915ac795c431978d8a6a992b628d557da5ff759b307d495a36649353a01fffd310ac743f371de3b9f7f9cb56c0b28ad43601b4ab949f53faa07bd2c804';
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    assert.equal(tx.chainId, 0n);
    assert.equal(tx.nonce, 0);
    assert.equal(toHex(tx.to!), '0x095e7baea6a6c7c4c2dfeb977efac326af552d87');
    assert.equal(toHex(tx.input), '0xdeadbeef0000000101010010101010101010101010101aaabbbbbbcccccccddddddddd');
    assert.equal(tx.maxFeePerGas, 1n);
    assert.equal(tx.gasLimit, 0x5408);
    assert.equal(tx.v, 27n);
    assert.equal(toHex(tx.from), Transaction.from(raw).from!.toLowerCase());
    const sig = toFilecoinMessage(tx).signature.data;
    assert.equal(
      toHex(sig),
      '0x01' +
        '48b55bfa915ac795c431978d8a6a992b628d557da5ff759b307d495a36649353' +
        '1fffd310ac743f371de3b9f7f9cb56c0b28ad43601b4ab949f53faa07bd2c804' +
        '1b',
    );
  });
});

describe('decodeEthTransaction: rejections (MessageRejectedError, Lotus wording)', () => {
  test('type 1 (EIP-2930)', async () => {
    const raw = await sign({ type: 1, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n });
    rejects(raw, /EIP-2930 transaction is not supported/);
  });

  test('type 3 (EIP-4844), type 4 (EIP-7702) and other typed envelopes', () => {
    rejects('0x03c0', /unsupported transaction type/);
    rejects('0x04c0', /unsupported transaction type/);
    rejects('0x7fc0', /unsupported transaction type/);
    rejects('0x00', /unsupported transaction type/);
  });

  test('EIP-1559 for another chain', async () => {
    const raw = await sign({ type: 2, chainId: 314n, nonce: 0, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    rejects(raw, /invalid chain id/);
  });

  test('EIP-155 for another chain', async () => {
    const raw = await sign({ type: 0, chainId: 314n, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n });
    rejects(raw, /failed to validate EIP155 chain id: invalid chain id, expected 31415926, got 314/);
  });

  test('a non-empty access list', async () => {
    const raw = await sign({
      type: 2,
      chainId: CHAIN_ID,
      nonce: 0,
      to: TO,
      gasLimit: 21_000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      accessList: [{ address: '0x' + '33'.repeat(20), storageKeys: [] }],
    });
    rejects(raw, /access list should be an empty list/);
  });

  test('EIP-1559 with v other than 0 or 1', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    rejects(editTyped(raw, (f) => (f[9] = new Uint8Array([2]))), /only support 0 or 1 for v/);
  });

  test('non-canonical integers (a leading zero byte)', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 1, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    rejects(editTyped(raw, (f) => (f[1] = new Uint8Array([0, 1]))), /failed to parse transaction/);
  });

  test('a recipient that is not 20 bytes', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    // Lotus's CastEthAddress (P5a), after parseLegacyTx's prefix for a legacy transaction.
    rejects(editTyped(raw, (f) => (f[5] = new Uint8Array(19))), /^cannot parse bytes into an EthAddress: incorrect input length$/);
    rejects(editTyped(raw, (f) => (f[5] = new Uint8Array(21))), /^cannot parse bytes into an EthAddress: incorrect input length$/);
    const legacy = await sign({ type: 0, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n });
    const fields = RLP.decode(hex(legacy)) as Uint8Array[];
    fields[3] = new Uint8Array(19);
    rejects(RLP.encode(fields), /^failed to parse legacy transaction: cannot parse bytes into an EthAddress: incorrect input length$/);
  });

  test('the wrong number of fields', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    rejects(editTyped(raw, (f) => f.pop()), /^not an EIP-1559 transaction: should have 12 elements in the rlp list$/);
    rejects('0x02c0', /^not an EIP-1559 transaction: should have 12 elements in the rlp list$/);
    rejects('0x0201', /^not an EIP-1559 transaction: decoded data is not a list$/);
    // The type byte alone: Lotus's RLP decoder refuses nothing before its caller sees a list or not.
    rejects('0x02', /^invalid rlp data: data is empty$/);
  });

  test('zero r or s', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    rejects(editTyped(raw, (f) => (f[10] = new Uint8Array())), /failed to calculate sender/);
    rejects(editTyped(raw, (f) => (f[11] = new Uint8Array())), /failed to calculate sender/);
  });

  test('garbage, empty and truncated input', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    const legacy = await sign({ type: 0, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n });
    rejects(new Uint8Array(), /^empty data$/);
    rejects('0xdeadbeef', /failed to parse transaction/);
    rejects('0x02deadbeef', /failed to parse transaction/);
    rejects(hex(raw).subarray(0, -1), /failed to parse transaction/);
    rejects(new Uint8Array([...hex(raw), 0]), /failed to parse transaction/);
    rejects(hex(legacy).subarray(0, -1), /failed to parse transaction/);
    rejects('0xc0', /^failed to parse legacy transaction: not a Legacy transaction: should have 9 elements in the rlp list$/);
  });

  test('a changed field signs for someone else', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, value: 1n, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    const tampered = editTyped(raw, (f) => (f[6] = new Uint8Array([2])));
    const tx = decodeEthTransaction(tampered, CHAIN_ID);
    assert.notEqual(toHex(tx.from), wallet.address.toLowerCase());
    assert.equal(tx.value, 2n);
  });
});

describe('toFilecoinMessage', () => {
  test('a call: InvokeContract to the f410 of the recipient, input as a CBOR byte string', async () => {
    const raw = await sign({
      type: 2,
      chainId: CHAIN_ID,
      nonce: 9,
      to: TO,
      value: 12_345n,
      data: '0xdeadbeef',
      gasLimit: 3_000_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 100_000n,
    });
    const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
    const { message, signature } = toFilecoinMessage(tx);
    assert.equal(message.version, 0);
    assert.ok(message.to.equals(FilAddress.fromDelegated(EAM_NAMESPACE, hex(TO))));
    assert.ok(message.from.equals(FilAddress.fromDelegated(EAM_NAMESPACE, hex(wallet.address))));
    assert.equal(message.method, 3844450837);
    assert.equal(toHex(message.params), '0x44deadbeef');
    assert.equal(message.nonce, 9);
    assert.equal(message.value, 12_345n);
    assert.equal(message.gasLimit, 3_000_000);
    assert.equal(message.gasFeeCap, 2_000_000_000n);
    assert.equal(message.gasPremium, 100_000n);

    const sig = Signature.from(Transaction.from(raw).signature!);
    assert.equal(signature.type, SigType.Delegated);
    assert.equal(signature.data.length, 65);
    assert.equal(toHex(signature.data), '0x' + word(sig.r) + word(sig.s) + (sig.yParity ? '01' : '00'));
  });

  test('an r or s shorter than 32 bytes is left-padded in the signature', async () => {
    // About one signature in 128 has an r or s with a leading zero byte: sign until one does.
    for (let nonce = 0; ; nonce++) {
      const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce, to: TO, value: 1n, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
      const sig = Signature.from(Transaction.from(raw).signature!);
      if (BigInt(sig.r) >= 2n ** 248n && BigInt(sig.s) >= 2n ** 248n) continue;
      const { signature } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
      assert.equal(toHex(signature.data), '0x' + word(sig.r) + word(sig.s) + (sig.yParity ? '01' : '00'));
      return;
    }
  });

  test('decodeEthTransactionMessage (admission) gives the transaction and the signed message toFilecoinMessage makes of it', async () => {
    const raws = [
      await sign({ type: 0, chainId: 0n, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n }),
      await sign({ type: 0, chainId: CHAIN_ID, nonce: 0, to: TO, value: 5n, gasLimit: 21_000n, gasPrice: 1n }),
      await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: null, data: '0x6000', gasLimit: 21_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n }),
    ];
    // EIP-1559 with both recovery ids, and with an r or s shorter than 32 bytes (about one in 128).
    const parities = new Set<number>();
    let short = false;
    for (let nonce = 1; parities.size < 2 || !short; nonce++) {
      const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce, to: TO, value: 1n, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
      const sig = Signature.from(Transaction.from(raw).signature!);
      const isShort = BigInt(sig.r) < 2n ** 248n || BigInt(sig.s) < 2n ** 248n;
      if (!parities.has(sig.yParity) || (isShort && !short)) raws.push(raw);
      parities.add(sig.yParity);
      short ||= isShort;
    }
    for (const raw of raws) {
      const tx = decodeEthTransaction(hex(raw), CHAIN_ID);
      assert.deepEqual(decodeEthTransactionMessage(hex(raw), CHAIN_ID), { tx, signed: toFilecoinMessage(tx) });
    }
  });

  test('a plain value transfer is also InvokeContract, with empty params', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: TO, value: 1n, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    const { message } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
    assert.equal(message.method, METHOD_INVOKE_CONTRACT);
    assert.equal(message.params.length, 0);
  });

  test('a deployment: EAM (f010) CreateExternal (4) with the initcode as a CBOR byte string', async () => {
    const initcode = '0x' + '60'.repeat(30); // 30 bytes -> header 0x58 0x1e
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: null, data: initcode, gasLimit: 1_000_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    const { message } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
    assert.ok(message.to.equals(FilAddress.fromId(10)));
    assert.equal(message.method, 4);
    assert.equal(toHex(message.params), '0x581e' + initcode.slice(2));
  });

  test('a masked-ID recipient becomes its f0 address', async () => {
    const raw = await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, to: '0xff00000000000000000000000000000000000064', gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
    const { message } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
    assert.equal(message.to.toString('f'), 'f0100');
  });

  test("ethParamsAndRecipient gives back a transaction's input and recipient from its message, or Lotus's reason it stands for none", async () => {
    const messageOf = async (tx: TransactionRequest) =>
      toFilecoinMessage(decodeEthTransaction(hex(await sign({ type: 2, chainId: CHAIN_ID, nonce: 0, gasLimit: 1_000_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, ...tx })), CHAIN_ID)).message;
    const masked = '0xff00000000000000000000000000000000000064';
    for (const [to, data] of [[TO, '0x1234'], [masked, '0x'], [null, '0x6000']] as const) {
      const converted = ethParamsAndRecipient(await messageOf({ to, data }));
      assert.deepEqual(typeof converted === 'string' ? converted : { input: toHex(converted.input), to: converted.to && toHex(converted.to) }, { input: data, to });
    }
    const call = await messageOf({ to: TO, data: '0x1234' });
    const reasons = [
      [{ params: Uint8Array.of(0x01) }, "failed to read params byte array: expected cbor type 'byte string' in input"],
      [{ params: Uint8Array.of(0x41, 0x12, 0x34) }, 'extra data found in params'],
      [{ params: Uint8Array.of(0x40) }, 'non-empty params encode empty byte array'],
      [{ to: FilAddress.fromId(10) }, 'unsupported EAM method'],
      [{ method: 0 }, `invalid methodnum 0: only allowed method is InvokeContract(${METHOD_INVOKE_CONTRACT}) or CreateExternal(${METHOD_CREATE_EXTERNAL})`],
      [{ to: FilAddress.fromDelegated(EAM_NAMESPACE, hex('22'.repeat(19))) }, 'cannot parse bytes into an EthAddress: incorrect input length'],
      [{ to: FilAddress.fromDelegated(EAM_NAMESPACE, hex(masked)) }, `f410f addresses cannot embed masked-ID payloads: ${masked}`],
      [{ to: FilAddress.fromDelegated(11, hex('22'.repeat(20))) }, 'invalid Filecoin Eth address'],
    ] as const;
    for (const [change, reason] of reasons) assert.equal(ethParamsAndRecipient({ ...call, ...change }), reason);
  });

  test('legacy: fee cap and premium are both the gas price', async () => {
    const raw = await sign({ type: 0, chainId: CHAIN_ID, nonce: 3, to: TO, gasLimit: 21_000n, gasPrice: 4242n });
    const { message } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
    assert.equal(message.gasFeeCap, 4242n);
    assert.equal(message.gasPremium, 4242n);
    assert.equal(message.nonce, 3);
  });

  test('Homestead signature: 0x01 ‖ r ‖ s ‖ v (66 bytes)', async () => {
    const raw = await sign({ type: 0, chainId: 0n, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n });
    const sig = Transaction.from(raw).signature!;
    const { signature } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
    assert.equal(signature.type, SigType.Delegated);
    assert.equal(signature.data.length, 66);
    assert.equal(toHex(signature.data), '0x01' + word(sig.r) + word(sig.s) + sig.v.toString(16));
  });

  test('EIP-155 signature: 0x02 ‖ r ‖ s ‖ v big-endian', async () => {
    const raw = await sign({ type: 0, chainId: CHAIN_ID, nonce: 0, to: TO, gasLimit: 21_000n, gasPrice: 1n });
    const sig = Transaction.from(raw).signature!;
    const v = CHAIN_ID * 2n + 35n + BigInt(sig.yParity); // 62831887 or 62831888: 4 bytes
    const { signature } = toFilecoinMessage(decodeEthTransaction(hex(raw), CHAIN_ID));
    assert.equal(signature.data.length, 1 + 64 + 4);
    assert.equal(toHex(signature.data), '0x02' + word(sig.r) + word(sig.s) + v.toString(16).padStart(8, '0'));
  });
});
