// Node-side signing for the dev accounts, driven as users' tools drive it: ethers' JsonRpcSigner
// (signMessage, signTypedData, signTransaction) and viem's JSON-RPC accounts, checked with ethers'
// and viem's verifiers, and an EIP-2612 permit signed by the node and accepted by a contract.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BrowserProvider, ContractFactory, JsonRpcProvider, Signature, Transaction, verifyMessage, verifyTypedData, type Contract, type JsonRpcSigner, type TypedDataField } from 'ethers';
import { createWalletClient, custom, http, verifyMessage as viemVerifyMessage, verifyTypedData as viemVerifyTypedData, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const OWNER = DEV_ACCOUNTS[0]!.address;
const SPENDER = DEV_ACCOUNTS[1]!.address;
const STRANGER = '0x000000000000000000000000000000000000dEaD';

const MAIL = {
  domain: { name: 'Ether Mail', version: '1', chainId: DEVNET_CHAIN_ID, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' },
  types: {
    Person: [
      { name: 'name', type: 'string' },
      { name: 'wallet', type: 'address' },
    ],
    Mail: [
      { name: 'from', type: 'Person' },
      { name: 'to', type: 'Person' },
      { name: 'contents', type: 'string' },
    ],
  },
  message: {
    from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
    to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
    contents: 'Hello, Bob!',
  },
} as const;
/** The same types as ethers takes them (mutable arrays). */
const MAIL_TYPES = MAIL.types as unknown as Record<string, TypedDataField[]>;

describe('signing with the dev accounts', () => {
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let owner: JsonRpcSigner;
  let artifacts: Record<string, CompiledContract>;

  before(async () => {
    artifacts = await compileFixtures();
    provider = devnet.provider;
    owner = await provider.getSigner(OWNER);
  });

  test('ethers JsonRpcSigner.signMessage (personal_sign) verifies with ethers and viem', async () => {
    const signature = await owner.signMessage('hello from fvm-devnet');
    assert.equal(verifyMessage('hello from fvm-devnet', signature), OWNER);
    assert.equal(await viemVerifyMessage({ address: OWNER, message: 'hello from fvm-devnet', signature: signature as `0x${string}` }), true);
    // eth_sign takes the address first and signs the same EIP-191 message.
    const ethSign = await provider.send('eth_sign', [OWNER, '0x' + Buffer.from('hello from fvm-devnet').toString('hex')]);
    assert.equal(ethSign, signature);
  });

  test('ethers JsonRpcSigner.signTypedData (eth_signTypedData_v4) verifies with ethers and viem', async () => {
    const signature = await owner.signTypedData(MAIL.domain, MAIL_TYPES, MAIL.message);
    assert.equal(verifyTypedData(MAIL.domain, MAIL_TYPES, MAIL.message, signature), OWNER);
    const valid = await viemVerifyTypedData({ address: OWNER, ...MAIL, primaryType: 'Mail', signature: signature as `0x${string}` });
    assert.equal(valid, true);
  });

  test('ethers JsonRpcSigner.signTransaction (eth_signTransaction) gives a raw transaction the node accepts', async () => {
    const raw = await owner.signTransaction({ to: SPENDER, value: 12345n });
    const tx = Transaction.from(raw);
    assert.equal(tx.from, OWNER);
    assert.equal(tx.chainId, BigInt(DEVNET_CHAIN_ID));
    assert.equal(tx.value, 12345n);
    assert.ok(tx.gasLimit > 1_000_000n, 'the node estimated a Filecoin gas limit');
    const before = await provider.getBalance(SPENDER);
    const receipt = await (await provider.broadcastTransaction(raw)).wait();
    assert.equal(receipt?.status, 1);
    assert.equal(await provider.getBalance(SPENDER), before + 12345n);
  });

  test('viem JSON-RPC account: signMessage, signTypedData and signTransaction', async () => {
    const wallet = createWalletClient({ account: OWNER as Address, transport: http(devnet.url) });
    const message = await wallet.signMessage({ message: 'viem says hi' });
    assert.equal(await viemVerifyMessage({ address: OWNER, message: 'viem says hi', signature: message }), true);
    const typed = await wallet.signTypedData({ ...MAIL, primaryType: 'Mail' });
    assert.equal(verifyTypedData(MAIL.domain, MAIL_TYPES, MAIL.message, typed), OWNER);
    const raw = await wallet.signTransaction({ chain: null, to: SPENDER, value: 1n });
    assert.equal(Transaction.from(raw).from, OWNER);
  });

  // U83: wagmi's signTypedData with an injected or JSON-RPC account sends viem's typed data as it is;
  // viem's local account, MetaMask and Anvil hash only the types the primary type uses, and for
  // primaryType EIP712Domain the domain alone (viem then sends no message).
  test('viem JSON-RPC account: typed data with a type the message does not use, and the domain alone, signed as a local account signs them', async () => {
    const wallet = createWalletClient({ account: OWNER as Address, transport: http(devnet.url) });
    const local = privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey);
    const withUnused = { ...MAIL, types: { ...MAIL.types, Attachment: [{ name: 'uri', type: 'string' }] }, primaryType: 'Mail' } as const;
    const signature = await wallet.signTypedData(withUnused);
    assert.equal(signature, await local.signTypedData(withUnused));
    assert.equal(await viemVerifyTypedData({ address: OWNER as Address, ...withUnused, signature }), true);
    const domainOnly = { domain: MAIL.domain, types: {}, primaryType: 'EIP712Domain' } as const;
    assert.equal(await wallet.signTypedData(domainOnly), await local.signTypedData(domainOnly));
  });

  // U84: a dApp asks the wallet for its accounts first (ethers' docs: `provider.send('eth_requestAccounts',
  // [])`, viem's requestAddresses); a test page whose EIP-1193 provider forwards to the node gets the
  // dev accounts, as from Anvil or Hardhat, and signs with them.
  test('eth_requestAccounts through ethers BrowserProvider and viem requestAddresses gives the dev accounts, which then sign', async () => {
    const eip1193 = {
      request: async ({ method, params }: { method: string; params?: unknown[] }) => {
        const response = await fetch(devnet.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: params ?? [] }) });
        const { result, error } = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
        if (error) throw Object.assign(new Error(error.message), error);
        return result;
      },
    };
    const browser = new BrowserProvider(eip1193);
    const requested: string[] = await browser.send('eth_requestAccounts', []);
    assert.deepEqual(requested, DEV_ACCOUNTS.map((a) => a.address.toLowerCase()));
    const signer = await browser.getSigner(requested[0]);
    assert.equal(verifyMessage('from the page', await signer.signMessage('from the page')), OWNER);
    const wallet = createWalletClient({ transport: custom(eip1193) });
    assert.deepEqual(await wallet.requestAddresses(), DEV_ACCOUNTS.map((a) => a.address));
    browser.destroy();
  });

  test('an EIP-2612 permit signed by the node is accepted by the token', async () => {
    const artifact = artifacts['PermitToken']!;
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, owner);
    const token = (await (await factory.deploy('Permit Token', 1_000n)).waitForDeployment()) as Contract;
    const verifyingContract = await token.getAddress();
    const deadline = BigInt((await provider.getBlock('latest'))!.timestamp + 3600);
    const domain = { name: 'Permit Token', version: '1', chainId: DEVNET_CHAIN_ID, verifyingContract };
    const types = {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    };
    const permit = { owner: OWNER, spender: SPENDER, value: 400n, nonce: 0n, deadline };
    const signature = await owner.signTypedData(domain, types, permit);
    const { v, r, s } = Signature.from(signature);
    // Anyone may submit the permit: here the spender does.
    const spender = await provider.getSigner(SPENDER);
    const asSpender = token.connect(spender) as Contract;
    await (await asSpender.getFunction('permit')(OWNER, SPENDER, 400n, deadline, v, r, s)).wait();
    assert.equal(await token.getFunction('allowance')(OWNER, SPENDER), 400n);
    assert.equal(await token.getFunction('nonces')(OWNER), 1n);
    await (await asSpender.getFunction('transferFrom')(OWNER, SPENDER, 150n)).wait();
    assert.equal(await token.getFunction('balanceOf')(SPENDER), 150n);
    // The same signature again: the nonce has moved, so the token recovers another signer.
    await assert.rejects(asSpender.getFunction('permit')(OWNER, SPENDER, 400n, deadline, v, r, s), /ERC2612InvalidSigner|execution reverted|revert/);
  });

  test('an impersonated address or one the node has no key for gets a clear error', async () => {
    await provider.send('anvil_impersonateAccount', [STRANGER]);
    try {
      await assert.rejects(provider.send('personal_sign', ['0x68656c6c6f', STRANGER]), /impersonated.*no key|no key.*impersonated/i);
      await assert.rejects(provider.send('eth_signTransaction', [{ from: STRANGER, to: SPENDER, value: '0x1' }]), /impersonated/i);
    } finally {
      await provider.send('anvil_stopImpersonatingAccount', [STRANGER]);
    }
    await assert.rejects(provider.send('eth_signTypedData_v4', [STRANGER, JSON.stringify({ ...MAIL, primaryType: 'Mail' })]), /holds no key for 0x000000000000000000000000000000000000dead/i);
  });
});
