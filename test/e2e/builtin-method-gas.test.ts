// What a contract pays to read the market and a miner the way filecoin-solidity's MarketAPI and
// MinerAPI do (a DELEGATECALL to call_actor_id, read-only), against the devnet CLI over HTTP with
// ethers: each getter's receipt, against the same call to a method the actor does not have (its
// invocation, params and exit alone), differs by what builtin-method-gas.ts charges the method for:
// its state block loaded, the table nodes it opens (the Proposals AMT's root holding the deal; the
// miner's MinerInfo block) and its answer put as a block. A deal published by the node's storage
// provider is charged as builtin-actors' trace of PublishStorageDeals says (issue 1020).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider } from 'ethers';
import { encodeCbor } from '../../src/common/cbor.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { stateLoadGas } from '../../src/fevm/builtin-method-gas.js';
import { compileFixtures } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

const MARKET = 5n;
const MINER = 111n;
const READ_ONLY = 1n;
const CBOR = 0x51n;
/** An exported method number no builtin actor has: the dispatcher refuses it (exit 22) after the trampoline. */
const NO_SUCH_METHOD = BigInt(methodNumber('NoSuchMethod'));

describe("builtin actors' getters from a contract cost what the FVM charges them for", () => {
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let caller: Contract;
  let dealId: number;
  let publishGas: number;

  before(async () => {
    const { FilecoinApiCaller } = await compileFixtures();
    provider = devnet.provider;
    caller = (await new ContractFactory(FilecoinApiCaller!.abi, FilecoinApiCaller!.bytecode, devnet.wallet).deploy()) as Contract;
    await caller.waitForDeployment();
    const { cid, size } = computePieceCid(randomBytes(4000));
    const proposed = await provider.send('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size }]);
    dealId = proposed.dealId;
    publishGas = (await provider.send('Filecoin.StateSearchMsg', [null, proposed.message, -1, true])).Receipt.GasUsed;
  });

  /** The gas of a transaction calling `method` of actor `actor` read-only, with CBOR `params` (none if undefined). */
  const gasOf = async (actor: bigint, method: bigint, params?: unknown) => {
    const data = params === undefined ? '0x' : encodeCbor(params);
    const tx = await caller.callById(actor, method, 0n, READ_ONLY, params === undefined ? 0n : CBOR, data);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    return Number(receipt.gasUsed);
  };

  test("a deal getter pays the market's state block, the Proposals AMT's root holding the deal, and its answer", async (t) => {
    const refused = await gasOf(MARKET, NO_SUCH_METHOD, dealId);
    for (const name of ['GetDealDataCommitment', 'GetDealClient', 'GetDealTerm', 'GetDealActivation']) {
      const gas = await gasOf(MARKET, BigInt(methodNumber(name)), dealId);
      const method = gas - refused;
      t.diagnostic(`${name}: ${gas} gas, ${method} more than a refused method`);
      // The state block (~0.23 M) and a root of one proposal (~0.19 M and 10.4 gas a byte of it), the answer's
      // block and the contract's copying of it (ABI encoding: a few thousand), in place of the refusal's exit.
      assert.ok(method > stateLoadGas('storagemarket') + 190_000 && method < 700_000, `${name}: ${method}`);
    }
  });

  test("a miner getter pays the miner's state block, its MinerInfo block and its answer", async (t) => {
    const refused = await gasOf(MINER, NO_SUCH_METHOD);
    for (const name of ['GetOwner', 'GetSectorSize', 'GetPeerID']) {
      const gas = await gasOf(MINER, BigInt(methodNumber(name)));
      const method = gas - refused;
      t.diagnostic(`${name}: ${gas} gas, ${method} more than a refused method`);
      assert.ok(method > stateLoadGas('storageminer') + 190_000 && method < 700_000, `${name}: ${method}`);
    }
  });

  test("one deal's PublishStorageDeals is charged as builtin-actors' trace says (issue 1020: ~10 M a deal in a batch of five)", (t) => {
    t.diagnostic(`PublishStorageDeals of one deal: ${publishGas} gas`);
    // Its fitted Wasm work (2.95 M), the client's signature check (1.65 M), the market's, miner's, reward's and
    // power's invocations and the blocks it writes, and its inclusion.
    assert.ok(publishGas > 10_000_000 && publishGas < 25_000_000, `${publishGas}`);
  });
});
