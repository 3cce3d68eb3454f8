// StorageNFT against fvm-devnet: a token is minted only for a piece in an active deal (or a
// verified-registry claim), changes hands while the deal stands, and is stuck once its deal is
// slashed (or has ended).
// Run with `npm test` while `npx fvm-devnet` runs (FVM_DEVNET_URL for another address).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { compile, connect, marketDeal, send, until } from '../lib/devnet.mjs';
import { ARTWORKS, deployCollection, storeOnDevnet, tokenUri } from '../scripts/deploy.mjs';

const Backing = { Active: 0n, Slashed: 2n, Ended: 3n };
const NOT_BACKED = (backing) => (err) => err.revert?.name === 'NotBacked' && err.revert.args[1] === backing;

describe('StorageNFT: tokens backed by storage deals', () => {
  const { signer, rpc, close } = connect();
  const [issuer, alice, bob] = [signer(0), signer(1), signer(2)];
  let nft;
  const deals = [];
  const piece = (i) => CID.parse(ARTWORKS[i].cid).bytes;

  before(async () => {
    nft = await deployCollection(issuer, compile());
    for (const artwork of ARTWORKS) deals.push(await storeOnDevnet(rpc, artwork));
  });
  after(close);

  test('mints a token only for the piece its deal stores', async () => {
    await assert.rejects(nft.mint.staticCall(alice.address, deals[0], piece(1), ''), (err) => err.revert?.name === 'WrongPiece');
    await send(nft.mint(alice.address, deals[0], piece(0), tokenUri(ARTWORKS[0].cid)));
    assert.equal(await nft.ownerOf(deals[0]), alice.address);
    assert.equal(await nft.balanceOf(alice.address), 1n);
    assert.equal(await nft.tokenURI(deals[0]), tokenUri(ARTWORKS[0].cid));
    assert.equal(await nft.backing.staticCall(deals[0]), Backing.Active);
    // The URI serves the stored data.
    const served = await fetch(tokenUri(ARTWORKS[0].cid));
    assert.match(await served.text(), /artwork #1/);
    await assert.rejects(nft.mint.staticCall(alice.address, deals[0], piece(0), ''), (err) => err.revert?.name === 'AlreadyMinted');
  });

  test('a token changes hands while its deal is active', async () => {
    await send(nft.connect(alice).transferFrom(alice.address, bob.address, deals[0]));
    assert.equal(await nft.ownerOf(deals[0]), bob.address);
    await send(nft.mint(bob.address, deals[1], piece(1), tokenUri(ARTWORKS[1].cid)));
    assert.equal(await nft.balanceOf(bob.address), 2n);
  });

  test('a verified-registry claim backs a token too', async () => {
    // The deal client gets DataCap and makes a verified deal: once sealed, the registry holds a claim.
    const { Proposal } = await marketDeal(rpc, deals[0]);
    await rpc('devnet_addVerifiedClient', [Proposal.Client, '1048576']);
    const { dealId } = await rpc('devnet_proposeDeal', [{ pieceCid: ARTWORKS[0].cid, verifiedDeal: true }]);
    const deal = await until('the verified deal to be sealed', async () => {
      const d = await marketDeal(rpc, dealId);
      return d?.State.SectorStartEpoch > 0 ? d : undefined;
    });
    const claims = await rpc('Filecoin.StateGetClaims', [deal.Proposal.Provider, null]);
    const [claimId] = Object.entries(claims).find(([, c]) => c.Sector === deal.State.SectorNumber && c.Data['/'] === ARTWORKS[0].cid);
    const provider = Number(deal.Proposal.Provider.slice(2));

    await assert.rejects(nft.mintForClaim.staticCall(alice.address, provider, claimId, piece(1), ''), (err) => err.revert?.name === 'WrongPiece');
    await send(nft.mintForClaim(alice.address, provider, claimId, piece(0), tokenUri(ARTWORKS[0].cid)));
    const tokenId = await nft.claimTokenId(provider, claimId);
    assert.equal(await nft.ownerOf(tokenId), alice.address);
    assert.equal(await nft.backing.staticCall(tokenId), Backing.Active);
    await send(nft.connect(alice).transferFrom(alice.address, bob.address, tokenId));
    assert.equal(await nft.ownerOf(tokenId), bob.address);
  });

  test('a slashed deal freezes its token', async () => {
    const deal = await marketDeal(rpc, deals[0]);
    await rpc('devnet_terminateSectors', [deal.Proposal.Provider, [deal.State.SectorNumber]]);
    assert.equal(await marketDeal(rpc, deals[0]), undefined, 'the market dropped the slashed deal');
    assert.equal(await nft.backing.staticCall(deals[0]), Backing.Slashed);
    await assert.rejects(nft.connect(bob).transferFrom.staticCall(bob.address, alice.address, deals[0]), NOT_BACKED(Backing.Slashed));
    // The other token, in a healthy deal, still moves.
    await send(nft.connect(bob).transferFrom(bob.address, alice.address, deals[1]));
    assert.equal(await nft.ownerOf(deals[1]), alice.address);
  });

  test('and so does a deal that has ended', async () => {
    const end = Number(await nft.backedUntil(deals[1]));
    await rpc('anvil_mine', [end - Number(await rpc('eth_blockNumber'))]);
    assert.equal(await nft.backing.staticCall(deals[1]), Backing.Ended);
    await assert.rejects(nft.connect(alice).transferFrom.staticCall(alice.address, bob.address, deals[1]), NOT_BACKED(Backing.Ended));
  });
});
