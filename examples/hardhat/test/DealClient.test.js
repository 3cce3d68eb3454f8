// Tests of contracts/DealClient.sol against fvm-devnet: the contract proposes a storage deal, one
// of the devnet's storage providers publishes it (the market tells the contract its deal ID) and
// seals it, the contract reads the deal's activation from the market, and the provider is paid as
// epochs pass. Run with `npx hardhat test --network localhost` while `npx fvm-devnet` runs.
const { expect } = require("chai");
const { ethers, network } = require("hardhat");
const { mine } = require("@nomicfoundation/hardhat-network-helpers");

// A piece the client wants stored: CommP of 2 032 zero bytes (as `npx fvm-devnet piece <file>` prints it).
const PAYLOAD = new Uint8Array(2032);
const PIECE_CID = "baga6ea4seaqpy7usqklokfx2vxuynmupslkeutzexe2uqurdg5vhtebhxqmpqmy";
const PIECE_SIZE = 2048;
const DEAL_DURATION = 518400; // 180 days of 30-second epochs, the market's minimum
const PRICE_PER_EPOCH = 1_000_000_000n; // attoFIL

/** Polls `probe` until it returns something truthy (the storage provider works in the background). */
async function until(what, probe) {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("DealClient", function () {
  let client;
  let pieceCid;
  let pieceUrl;
  let dealId;

  before(async function () {
    const { CID } = await import("multiformats/cid");
    pieceCid = CID.parse(PIECE_CID).bytes;
    // A provider publishes a deal only once it has the data: uploaded to the devnet's piece store
    // (as `npx fvm-devnet piece --upload` does), from where it fetches location_ref below.
    pieceUrl = `${network.config.url}/piece/${PIECE_CID}`;
    const upload = await fetch(pieceUrl, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: PAYLOAD });
    expect(upload.ok, `upload: HTTP ${upload.status}`).to.equal(true);
    client = await ethers.deployContract("DealClient");
    await client.waitForDeployment();
  });

  it("funds its market escrow through call_actor", async function () {
    const [owner] = await ethers.getSigners();
    const escrow = ethers.parseEther("1");
    await (await owner.sendTransaction({ to: await client.getAddress(), value: escrow })).wait();
    await (await client.addBalance(escrow)).wait();
    const f410 = await network.provider.send("Filecoin.EthAddressToFilecoinAddress", [await client.getAddress()]);
    const balance = await network.provider.send("Filecoin.StateMarketBalance", [f410, null]);
    expect(BigInt(balance.Escrow)).to.equal(escrow);
  });

  it("proposes a deal, which a storage provider publishes: the market notifies the contract", async function () {
    const startEpoch = (await ethers.provider.getBlockNumber()) + 200;
    const request = {
      pieceCid,
      pieceSize: PIECE_SIZE,
      verifiedDeal: false,
      label: PIECE_CID,
      startEpoch,
      endEpoch: startEpoch + DEAL_DURATION,
      storagePricePerEpoch: PRICE_PER_EPOCH,
      providerCollateral: 0n,
      clientCollateral: 0n,
      locationRef: pieceUrl,
      carSize: PAYLOAD.length,
    };
    await expect(client.makeDealProposal(request)).to.emit(client, "DealProposalCreate");
    const piece = ethers.keccak256(pieceCid);
    await until("MarketNotifyDeal", () => client.published(piece));
    dealId = await client.dealOfPiece(piece);
    const deal = await network.provider.send("Filecoin.StateMarketStorageDeal", [Number(dealId), null]);
    expect(deal.Proposal.PieceCID["/"]).to.equal(PIECE_CID);
  });

  it("reads the deal's activation from the market once the provider has sealed it", async function () {
    const deal = await until("the deal to be sealed", async () => {
      const d = await network.provider.send("Filecoin.StateMarketStorageDeal", [Number(dealId), null]);
      return d.State.SectorStartEpoch > 0 && d;
    });
    await (await client.updateActivationStatus(pieceCid)).wait();
    const [activated, terminated] = await client.activations(dealId);
    expect(activated).to.equal(BigInt(deal.State.SectorStartEpoch));
    expect(terminated).to.equal(-1n);
  });

  it("pays the provider as epochs pass", async function () {
    const deal = await network.provider.send("Filecoin.StateMarketStorageDeal", [Number(dealId), null]);
    const before = await network.provider.send("Filecoin.StateMarketBalance", [deal.Proposal.Provider, null]);
    await mine(3000); // the provider settles its deals once a day of epochs
    await until("a settlement", async () => {
      const now = await network.provider.send("Filecoin.StateMarketBalance", [deal.Proposal.Provider, null]);
      return BigInt(now.Escrow) > BigInt(before.Escrow);
    });
  });
});
