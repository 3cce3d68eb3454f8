// An in-process devnet with the FEVM test contracts (test/fixtures/contracts/FevmProbe.sol,
// FilecoinMethodReceiver.sol) compiled by solc-js, and small helpers to deploy, send and call them
// signed by the first dev account.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Interface, Wallet, getCreateAddress, type InterfaceAbi } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { decodeBytesParams } from '../../src/fevm/message.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import type { MessageReceipt } from '../../src/fevm/types.js';
import { createDevnet, testConfig, type DevnetConfig } from '../../src/index.js';
import { compileSolidity, FIXTURE_CONTRACTS_DIR, type CompiledContract } from './solc.js';

export const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const CHAIN_ID = 31415926n;
export const FIL = 10n ** 18n;

let compiled: Promise<Record<string, CompiledContract>> | undefined;

/** FevmProbe, Destructible, FilecoinMethodReceiver and ConsoleUser, compiled once per process. */
export function fevmContracts(): Promise<Record<string, CompiledContract>> {
  compiled ??= compileSolidity(
    Object.fromEntries(
      ['FevmProbe.sol', 'FilecoinMethodReceiver.sol', 'ConsoleUser.sol'].map((name) => [name, readFileSync(join(FIXTURE_CONTRACTS_DIR, name), 'utf8')]),
    ),
  );
  return compiled;
}

export interface Deployed {
  address: string;
  iface: Interface;
  /** The contract's actor ID. */
  id: number;
}

export interface FevmSetup {
  devnet: Devnet;
  wallet: Wallet;
  deploy(name: string, args?: unknown[], value?: bigint): Promise<Deployed>;
  /** Sends a transaction calling `fn`; returns the receipt (whatever its exit code). */
  send(contract: Deployed, fn: string, args?: unknown[], value?: bigint): Promise<MessageReceipt>;
  /** Sends a raw transaction to any address. */
  sendRaw(to: string | null, data: string, value?: bigint): Promise<MessageReceipt>;
  /** eth_call at the head; returns the decoded results. */
  call(contract: Deployed, fn: string, args?: unknown[]): Promise<any>;
}

export async function fevmSetup(t: TestContext, overrides: Partial<DevnetConfig> = {}): Promise<FevmSetup> {
  const contracts = await fevmContracts();
  const devnet = await createDevnet(testConfig(overrides));
  t.after(() => devnet.close());
  const wallet = new Wallet(DEV_KEY);
  let nonce = 0;

  const sendRaw = async (to: string | null, data: string, value = 0n): Promise<MessageReceipt> => {
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: CHAIN_ID,
      nonce: nonce++,
      to,
      data,
      value,
      gasLimit: 2_000_000_000,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 200_000n,
    });
    const hash = await devnet.sendRawTransaction(hexToBytes(raw));
    const location = devnet.chain.messageByTxHash(hash);
    assert.ok(location, 'the transaction was mined');
    // A receipt holds the EVM's output as the chain does, a CBOR byte string: the tests read the output.
    const { receipt } = location.message;
    return { ...receipt, returnData: decodeBytesParams(receipt.returnData) ?? receipt.returnData };
  };

  const deploy = async (name: string, args: unknown[] = [], value = 0n): Promise<Deployed> => {
    const artifact = contracts[name];
    const iface = new Interface(artifact.abi as InterfaceAbi);
    const address = getCreateAddress({ from: wallet.address, nonce });
    const receipt = await sendRaw(null, artifact.bytecode + iface.encodeDeploy(args).slice(2), value);
    assert.equal(receipt.exitCode, 0, `deploying ${name}: exit ${receipt.exitCode}`);
    const id = devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(address)));
    assert.ok(id !== undefined);
    return { address, iface, id };
  };

  const send = (contract: Deployed, fn: string, args: unknown[] = [], value = 0n) =>
    sendRaw(contract.address, contract.iface.encodeFunctionData(fn, args), value);

  const call = async (contract: Deployed, fn: string, args: unknown[] = []) => {
    const result = await devnet.call(
      { from: hexToBytes(wallet.address), to: hexToBytes(contract.address), input: hexToBytes(contract.iface.encodeFunctionData(fn, args)) },
      devnet.head.epoch,
    );
    return contract.iface.decodeFunctionResult(fn, bytesToHex(result.returnData));
  };

  return { devnet, wallet, deploy, send, sendRaw, call };
}

/** The raw bytes of a Filecoin address, as the precompiles take them. */
export const filAddressHex = (address: FilAddress): string => bytesToHex(address.bytes);

/** A masked ID address 0xff ‖ 11 zero bytes ‖ u64be(id). */
export function maskedId(id: number | bigint): string {
  return '0xff' + '00'.repeat(11) + BigInt(id).toString(16).padStart(16, '0');
}

/** A precompile address: 0x00 or 0xfe, 18 zero bytes, index. */
export function precompileAddress(prefix: 0x00 | 0xfe, index: number): string {
  return '0x' + prefix.toString(16).padStart(2, '0') + '00'.repeat(18) + index.toString(16).padStart(2, '0');
}
