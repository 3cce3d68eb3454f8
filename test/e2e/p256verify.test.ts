// P256VERIFY (EIP-7951 at 0x…0100, nv28 on calibnet) reached from a contract through viem's
// eth_call, against the devnet CLI: a valid secp256r1 signature answers 32 bytes ending in 1,
// anything else empty output, and the STATICCALL succeeds either way (builtin-actors secp256r1.rs).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { concat, toHex, type Address, type Hex } from 'viem';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { deployFixture, devnetClients, type DevnetClients } from '../helpers/viem-devnet.js';

const P256VERIFY: Address = '0x0000000000000000000000000000000000000100';

describe('P256VERIFY through viem', () => {
  const devnet = useDevnet();
  let probe: CompiledContract;
  let address: Address;
  let publicClient: DevnetClients['publicClient'];

  before(async () => {
    probe = (await compileFixtures()).FevmProbe!;
    const clients = devnetClients(devnet.url, 2);
    publicClient = clients.publicClient;
    address = await deployFixture(clients, probe);
  });

  const verify = async (input: Hex) =>
    (await publicClient.readContract({ address, abi: probe.abi, functionName: 'staticCallTo', args: [P256VERIFY, input] })) as [boolean, Hex];

  test('a valid signature: 32 bytes ending in 1; a wrong hash, a short input or a key off the curve: empty', async () => {
    const key = p256.utils.randomSecretKey();
    const hash = new Uint8Array(32).fill(0x42);
    const signature = toHex(p256.sign(hash, key, { prehash: false }));
    const publicKey = toHex(p256.getPublicKey(key, false).subarray(1));
    const valid = concat([toHex(hash), signature, publicKey]);
    assert.deepEqual(await verify(valid), [true, toHex(1n, { size: 32 })]);
    assert.deepEqual(await verify(concat([toHex(new Uint8Array(32)), signature, publicKey])), [true, '0x']);
    assert.deepEqual(await verify(valid.slice(0, -2) as Hex), [true, '0x']);
    assert.deepEqual(await verify(concat([toHex(hash), signature, toHex(new Uint8Array(64))])), [true, '0x']);
  });
});
