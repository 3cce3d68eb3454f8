// What the bench sends: pre-signed transactions from dev account 0 (the same key on every peer:
// the `test … junk` mnemonic's first account) and the bench's two contracts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interface, Wallet, getAddress } from 'ethers';
import { compileSolidity } from '../test/helpers/solc.js';
import { ROOT } from './peers.js';
import type { RpcClient } from './rpc-client.js';

const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const TOKEN_SUPPLY = 10n ** 30n;
const RECEIPT_TIMEOUT_MS = 60_000;

/** The n-th of a run of distinct addresses (a recipient or a balanceOf argument). */
export function nthAddress(n: number): string {
  return getAddress('0x' + (0x10_0000 + n).toString(16).padStart(40, '0'));
}

export type Receipt = { status: string; contractAddress: string | null; blockNumber: string };

export async function receipt(rpc: RpcClient, hash: string): Promise<Receipt> {
  const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const r = await rpc.call<Receipt | null>('eth_getTransactionReceipt', [hash]);
    if (r) return r;
  }
  throw new Error(`no receipt for ${hash} within ${RECEIPT_TIMEOUT_MS / 1000} s`);
}

/** Signs account 0's transactions with consecutive nonces and fees read from the node. */
export class Signer {
  private readonly wallet = new Wallet(DEV_KEY);
  private fees = { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n };
  private constructor(
    private readonly rpc: RpcClient,
    /** The chain id the node reports and mines this signer's transactions under. */
    readonly chainId: bigint,
    public nonce: number,
  ) {}

  static async create(rpc: RpcClient): Promise<Signer> {
    const chainId = BigInt(await rpc.call('eth_chainId'));
    const nonce = Number(await rpc.call('eth_getTransactionCount', [new Wallet(DEV_KEY).address, 'latest']));
    return new Signer(rpc, chainId, nonce);
  }

  get address(): string {
    return this.wallet.address;
  }

  /** Reads fees again (they drift as blocks pass); a margin keeps a batch valid while the base fee moves. */
  async refreshFees(): Promise<void> {
    const maxFeePerGas = 4n * BigInt(await this.rpc.call('eth_gasPrice'));
    const tip = BigInt(await this.rpc.call('eth_maxPriorityFeePerGas'));
    this.fees = { maxFeePerGas, maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas };
  }

  /** Gas for `tx` as the node estimates it (FVM gas units are not Ethereum's), with a margin for varying inputs. */
  async gasFor(tx: { to?: string; value?: bigint; data?: string }, margin = 1): Promise<bigint> {
    const estimate = BigInt(await this.rpc.call('eth_estimateGas', [{ from: this.address, to: tx.to, data: tx.data, value: tx.value === undefined ? undefined : `0x${tx.value.toString(16)}` }]));
    return (estimate * BigInt(Math.round(margin * 100))) / 100n;
  }

  /** `count` signed transactions, made before any timing starts. */
  async presign(count: number, tx: (i: number) => { to?: string; value?: bigint; data?: string; gasLimit: bigint }): Promise<string[]> {
    await this.refreshFees();
    const raws: string[] = [];
    for (let i = 0; i < count; i++) raws.push(await this.wallet.signTransaction({ type: 2, chainId: this.chainId, nonce: this.nonce++, ...this.fees, ...tx(i) }));
    return raws;
  }

  async send(tx: { to?: string; value?: bigint; data?: string }): Promise<Receipt> {
    const gasLimit = await this.gasFor(tx, 1.2);
    const [raw] = await this.presign(1, () => ({ ...tx, gasLimit }));
    const r = await receipt(this.rpc, await this.rpc.call('eth_sendRawTransaction', [raw]));
    if (BigInt(r.status) !== 1n) throw new Error(`transaction failed: ${JSON.stringify(r)}`);
    return r;
  }
}

export const token = new Interface(['function transfer(address to, uint256 value) returns (bool)', 'function balanceOf(address) view returns (uint256)', 'event Transfer(address indexed from, address indexed to, uint256 value)']);
export const heavy = new Interface(['function hash(uint256 seed) returns (bytes32)']);

export interface Contracts {
  token: string;
  heavy: string;
}

let compiled: Promise<Record<string, { bytecode: string }>> | undefined;

/** Deploys the bench's token (account 0 holds the supply) and heavy contract. */
export async function deployContracts(signer: Signer): Promise<Contracts> {
  compiled ??= compileSolidity({ 'Bench.sol': readFileSync(join(ROOT, 'bench/contracts/Bench.sol'), 'utf8') });
  const { BenchToken, BenchHeavy } = await compiled;
  const tokenData = BenchToken!.bytecode + TOKEN_SUPPLY.toString(16).padStart(64, '0');
  const tokenReceipt = await signer.send({ data: tokenData });
  const heavyReceipt = await signer.send({ data: BenchHeavy!.bytecode });
  return { token: tokenReceipt.contractAddress!, heavy: heavyReceipt.contractAddress! };
}
