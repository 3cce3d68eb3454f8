// Lotus's itest contracts (test/fixtures/lotus-itests) and the steps of Lotus's itests/kit/evm.go that
// deploy and invoke them: Filecoin messages the node signs for its default wallet (MpoolPushMessage),
// each awaited with StateWaitMsg, a failure's error read with StateReplay, over raw JSON-RPC so that
// the tests see Lotus's error texts and codes as a Lotus client does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { id } from 'ethers';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { startDevnet, type DevnetProcess } from './devnet-process.js';
import { rawRpc, type RpcError } from './raw-rpc.js';
import { REPO_ROOT } from './solc.js';

/**
 * The init code of one of Lotus's itest contracts (test/fixtures/lotus-itests/<name>.hex), read
 * from the repository's root so that the compiled tests in .test-build find it too.
 */
export function lotusContractCode(name: string): string {
  return '0x' + readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'lotus-itests', `${name}.hex`), 'utf8').trim();
}

const EAM = 'f010';
const METHOD_CREATE_EXTERNAL = 4;
export const METHOD_INVOKE_CONTRACT = 3844450837;
/** buildconstants.BlockGasLimit, which kit's InvokeSolidity sets on every invocation. */
const BLOCK_GAS_LIMIT = 10_000_000_000;

export interface MsgLookup {
  Height: number;
  Receipt: { ExitCode: number; Return: string | null; EventsRoot: { '/': string } | null };
}
export interface Invoked {
  /** The message's CID, as Lotus's JSON writes it. */
  cid: unknown;
  exit: number;
  /** The contract's output (hex) when it succeeded. */
  output: string;
  /** StateReplay's Error when it failed. */
  error: string;
  lookup: MsgLookup;
}

/** InvokeContract's or CreateExternal's params: the bytes as a CBOR byte string, in Lotus's JSON (base64). */
const cborBytes = (hex: string) => Buffer.from(encodeCbor(hexToBytes(hex))).toString('base64');

/**
 * kit's EVM helpers against the node at `url` (its HTTP endpoint, or a function answering it for a node
 * that a before() starts later), sending from its default wallet.
 */
export function lotusKit(url: string | (() => string)) {
  let from: string | undefined;
  let client: ReturnType<typeof rawRpc> | undefined;
  /** The node's /rpc/v1, made on the first call. */
  const v1 = () => (client ??= rawRpc(`${typeof url === 'string' ? url : url()}/rpc/v1`));
  /** The result, failing on an error. */
  const rpc = <T = any>(method: string, ...params: unknown[]): Promise<T> => v1().ok<T>(method, ...params);
  /** The whole answer, its error included. */
  const raw = (method: string, params: unknown[]): Promise<{ result?: any; error?: RpcError }> => v1().rpc(method, ...params);
  /** The default wallet's address (the native account kit deploys from). */
  const sender = async (): Promise<string> => (from ??= await rpc<string>('Filecoin.WalletDefaultAddress'));
  /** MpoolPushMessage from the default wallet, then StateWaitMsg: the message's CID and lookup. */
  async function push(message: Record<string, unknown>): Promise<{ cid: unknown; lookup: MsgLookup }> {
    const signed = await rpc('Filecoin.MpoolPushMessage', { From: await sender(), Value: '0', ...message }, null);
    return { cid: signed.CID, lookup: await rpc('Filecoin.StateWaitMsg', signed.CID, 0, -1, false) };
  }
  /** kit's DeployContractWithValue of init code (hex): the CreateExternal lookup and, if it succeeded, the contract's ID and Ethereum addresses. */
  async function deployCode(initcode: string, value = 0n): Promise<{ id: string; eth: string; lookup: MsgLookup }> {
    const { lookup } = await push({ To: EAM, Method: METHOD_CREATE_EXTERNAL, Params: cborBytes(initcode), Value: value.toString() });
    if (lookup.Receipt.ExitCode !== 0) return { id: '', eth: '', lookup };
    const [actorId, , eth] = decodeCbor<[number, unknown, Uint8Array]>(Buffer.from(lookup.Receipt.Return!, 'base64'));
    return { id: `f0${actorId}`, eth: bytesToHex(eth), lookup };
  }
  return {
    raw,
    rpc,
    sender,
    push,
    /**
     * Mines 100 empty tipsets, as Lotus's itest chain has long reached the base fee's floor before a
     * test sends: kit's invocations carry the block gas limit, whose fee cap MpoolPushMessage caps at
     * 0.07 FIL / 10^10 gas = 7 × 10^6, under a new chain's base fee (10^8), so that, as README says,
     * they would wait in the pool.
     */
    ageChain: () => rpc('anvil_mine', '0x64'),
    deployCode,
    /** kit's DeployContractFromFilenameWithValue: Lotus's contract `name`, which must deploy. */
    async deploy(name: string, value = 0n): Promise<{ id: string; eth: string }> {
      const deployed = await deployCode(lotusContractCode(name), value);
      if (!deployed.id) throw new Error(`deploying ${name} failed with exit code ${deployed.lookup.Receipt.ExitCode}`);
      return deployed;
    },
    /** kit's InvokeContractByFuncName with the block gas limit: the output or StateReplay's error, with the exit code. */
    async invoke(to: string, signature: string, input = '', value = 0n): Promise<Invoked> {
      const { cid, lookup } = await push({ To: to, Method: METHOD_INVOKE_CONTRACT, Params: cborBytes(id(signature).slice(0, 10) + input), Value: value.toString(), GasLimit: BLOCK_GAS_LIMIT });
      const exit = lookup.Receipt.ExitCode;
      if (exit !== 0) return { cid, exit, output: '', error: (await rpc('Filecoin.StateReplay', null, cid)).Error, lookup };
      return { cid, exit, output: bytesToHex(decodeCbor<Uint8Array>(Buffer.from(lookup.Receipt.Return!, 'base64'))), error: '', lookup };
    },
  };
}

export type LotusKit = ReturnType<typeof lotusKit>;

/**
 * A describe's node and kit, as each of Lotus's itests builds its own ensemble: before() starts a devnet
 * with `args` and, unless `aged` is false, mines its 100 empty tipsets (kit.ageChain); after() stops it.
 * `kit` reaches the node of the describe that called this; `node()` is that node.
 */
export function lotusKitSuite({ args = [], aged = true }: { args?: string[]; aged?: boolean } = {}): { kit: LotusKit; node: () => DevnetProcess } {
  let node: DevnetProcess | undefined;
  const kit = lotusKit(() => node!.url);
  before(async () => {
    node = await startDevnet(args);
    if (aged) await kit.ageChain();
  });
  after(() => node?.stop());
  return { kit, node: () => node! };
}
