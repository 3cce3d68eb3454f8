// nv28 over the wire, against the devnet CLI: Filecoin.StateNetworkVersion and eth_protocolVersion
// answer 28, and a user's contract (compiled with solc, deployed and driven with viem over HTTP) reads
// a storage provider's sector through call_actor as it would on calibnet since FireHorse: the
// location found by an eth_call of GenerateSectorLocation, then ValidateSectorStatus and
// GetNominalSectorExpiration in a transaction; a Lotus client's StateCall reaches the same method.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { glifClient, type LotusClient } from '../helpers/glif.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { deployFixture, devnetClients, type DevnetClients } from '../helpers/viem-devnet.js';

const ACTIVE = 1;
const FAULTY = 2;
const DEAD = 0;

describe('nv28: the miner actor v18 sector status methods from a contract', () => {
  const devnet = useDevnet();
  let reader: CompiledContract;
  let address: Address;
  let lotus: LotusClient;
  let publicClient: DevnetClients['publicClient'];
  let walletClient: DevnetClients['walletClient'];
  /** A storage provider's miner ID (its t0 address's number) and one of its sectors as Lotus lists it. */
  let miner: string;
  let minerId: bigint;
  let sector: { SectorNumber: number; Expiration: number };

  before(async () => {
    reader = (await compileFixtures()).SectorStatusReader!;
    lotus = glifClient(devnet.url);
    const clients = devnetClients(devnet.url, 3);
    ({ publicClient, walletClient } = clients);
    address = await deployFixture(clients, reader);
    [miner] = await lotus.request('StateListMiners', null);
    minerId = BigInt(miner.slice(2));
    [sector] = await lotus.request('StateMinerSectors', miner, null, null);
  });

  const read = async <T>(functionName: string, args: unknown[]) => (await publicClient.readContract({ address, abi: reader.abi, functionName, args })) as T;

  test('the node runs network version 28', async () => {
    assert.equal(await lotus.request('StateNetworkVersion', null), 28);
    assert.equal(await publicClient.request({ method: 'eth_protocolVersion' as never }), '0x1c');
  });

  test('eth_call finds the sector Active at the partition Lotus names; the contract validates it and reads its expiration', async () => {
    const number = BigInt(sector.SectorNumber);
    const [exitCode, status, auxData] = await read<[bigint, number, Hex]>('generateSectorLocation', [minerId, number]);
    assert.equal(exitCode, 0n);
    assert.equal(status, ACTIVE);
    const partition = await lotus.request('StateSectorPartition', miner, sector.SectorNumber, null);
    assert.deepEqual(decodeCbor(Buffer.from(auxData.slice(2), 'hex')), [partition.Deadline, partition.Partition]);
    assert.deepEqual(await read('validateSectorStatus', [minerId, number, ACTIVE, auxData]), [0n, true]);
    assert.deepEqual(await read('validateSectorStatus', [minerId, number, FAULTY, auxData]), [0n, false]);
    assert.deepEqual(await read('nominalSectorExpiration', [minerId, number]), [0n, BigInt(sector.Expiration)]);

    // In a transaction: the answers kept on chain and in the log.
    const hash = await walletClient.writeContract({ address, abi: reader.abi, functionName: 'record', args: [minerId, number, ACTIVE, auxData], account: walletClient.account!, chain: walletClient.chain });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    assert.equal(await read('lastValid', []), true);
    assert.equal(await read('lastExpiration', []), BigInt(sector.Expiration));
  });

  test('a sector the miner never had: Dead with no location; its expiration is the miner\'s exit code 17 (not found)', async () => {
    const [exitCode, status, auxData] = await read<[bigint, number, Hex]>('generateSectorLocation', [minerId, 4242n]);
    assert.equal(exitCode, 0n);
    assert.equal(status, DEAD);
    assert.deepEqual(decodeCbor(Buffer.from(auxData.slice(2), 'hex')), [-1, -1]);
    assert.deepEqual(await read('validateSectorStatus', [minerId, 4242n, DEAD, auxData]), [0n, true]);
    assert.deepEqual(await read('nominalSectorExpiration', [minerId, 4242n]), [17n, 0n]);
    // A location that does not hold the sector: exit code 17; a half-set one: 16.
    const [, , here] = await read<[bigint, number, Hex]>('generateSectorLocation', [minerId, BigInt(sector.SectorNumber)]);
    assert.deepEqual(await read('validateSectorStatus', [minerId, 4242n, DEAD, here]), [17n, false]);
    assert.deepEqual(await read('validateSectorStatus', [minerId, BigInt(sector.SectorNumber), ACTIVE, '0x82200a']), [16n, false]);
  });

  test('a Lotus client reaches GenerateSectorLocation with StateCall', async () => {
    const [from] = await lotus.request('WalletList');
    const message = { From: from, To: miner, Value: '0', Method: 1321604665, Params: Buffer.from(encodeCbor([sector.SectorNumber])).toString('base64') };
    const { MsgRct } = await lotus.request('StateCall', message, null);
    assert.equal(MsgRct.ExitCode, 0);
    const [status, auxData] = decodeCbor<[number, Uint8Array]>(new Uint8Array(Buffer.from(MsgRct.Return, 'base64')));
    assert.equal(status, ACTIVE);
    const partition = await lotus.request('StateSectorPartition', miner, sector.SectorNumber, null);
    assert.deepEqual(decodeCbor(auxData), [partition.Deadline, partition.Partition]);
  });

  test('a Lotus client\'s message without Params to a method that takes them, or with Params to one that takes none: exit 16', async () => {
    const [from] = await lotus.request('WalletList');
    const call = async (method: number, Params: string | null) => (await lotus.request('StateCall', { From: from, To: miner, Value: '0', Method: method, Params }, null)).MsgRct;
    const missing = await call(methodNumber('GenerateSectorLocation'), null);
    assert.equal(missing.ExitCode, 16);
    const sectorSize = await call(methodNumber('GetSectorSize'), null);
    assert.equal(sectorSize.ExitCode, 0);
    const extra = await call(methodNumber('GetSectorSize'), Buffer.from(encodeCbor([1])).toString('base64'));
    assert.equal(extra.ExitCode, 16);
  });
});
