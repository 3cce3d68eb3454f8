// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Actor, Cbor} from "./Filecoin.sol";

/// The receiving side of ERC-721's safe transfers.
interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

/// An ERC-721 collection whose tokens are backed by stored data. The token for a piece can only be
/// minted while a storage deal for exactly that piece is active at the market actor (token ID = the
/// deal ID), or while the verified registry holds a claim for it (a provider proved it in a sector
/// for a verified client; token ID = claimTokenId(provider, claim ID)). A token can only change hands
/// while its backing stands: once its deal is slashed (the sector terminated) or its deal or claim
/// has ended, transfers revert. The actors are read through the call_actor_id precompile at mint and
/// at every transfer.
contract StorageNFT {
    using Cbor for bytes;

    uint64 constant GET_DEAL_DATA_COMMITMENT = 1157985802;
    uint64 constant GET_DEAL_TERM = 163777312;
    uint64 constant GET_DEAL_ACTIVATION = 2567238399;
    uint64 constant GET_CLAIMS = 2199871187;
    /// The top bit marks the token IDs of claims, which a deal ID (a u64) never reaches.
    uint256 constant CLAIM_TOKEN = 1 << 255;

    enum Backing {
        Active,
        NotActivated,
        Slashed,
        Ended
    }

    string public name;
    string public symbol;
    address public immutable issuer;

    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;
    mapping(uint256 => address) public getApproved;
    mapping(address => mapping(address => bool)) public isApprovedForAll;
    /// Each token's content: the piece CID its deal stores, and where its metadata lives.
    mapping(uint256 => bytes) public pieceOf;
    mapping(uint256 => string) public tokenURI;
    /// The epoch each token's backing ends: its deal's end, or its claim's maximum term.
    mapping(uint256 => int64) public backedUntil;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    error NotIssuer();
    error AlreadyMinted(uint256 tokenId);
    error NoSuchToken(uint256 tokenId);
    error NotAuthorized(address caller, uint256 tokenId);
    error WrongPiece(uint256 tokenId);
    error NoSuchClaim(uint64 provider, uint64 claimId);
    error NotBacked(uint256 tokenId, Backing backing);
    error UnsafeRecipient(address to);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        issuer = msg.sender;
    }

    /// Mints token `dealId` to `to`, for the piece the deal stores; the deal must be active now.
    function mint(address to, uint64 dealId, bytes calldata pieceCid, string calldata uri) external {
        if (msg.sender != issuer) revert NotIssuer();
        if (ownerOf[dealId] != address(0)) revert AlreadyMinted(dealId);
        bytes memory commitment =
            Actor.callOrRevert(Actor.MARKET, GET_DEAL_DATA_COMMITMENT, Cbor.uint64Item(dealId), 0, true);
        (, uint256 at) = commitment.readArray(0); // [piece CID, piece size]
        (bytes memory stored,) = commitment.readCid(at);
        if (keccak256(stored) != keccak256(pieceCid)) revert WrongPiece(dealId);
        bytes memory term = Actor.callOrRevert(Actor.MARKET, GET_DEAL_TERM, Cbor.uint64Item(dealId), 0, true);
        (, at) = term.readArray(0); // [start, duration]
        (int64 start, uint256 next) = term.readInt(at);
        (int64 duration,) = term.readInt(next);
        backedUntil[dealId] = start + duration;
        issue(to, dealId, pieceCid, uri);
    }

    /// The token ID of claim `claimId` of `provider` (a miner actor ID).
    function claimTokenId(uint64 provider, uint64 claimId) public pure returns (uint256) {
        return CLAIM_TOKEN | (uint256(provider) << 64) | claimId;
    }

    /// Mints the token of a verified-registry claim to `to`, for the piece the claim holds; the
    /// claim must stand now (it exists, and its maximum term has not passed).
    function mintForClaim(address to, uint64 provider, uint64 claimId, bytes calldata pieceCid, string calldata uri)
        external
    {
        if (msg.sender != issuer) revert NotIssuer();
        uint256 tokenId = claimTokenId(provider, claimId);
        if (ownerOf[tokenId] != address(0)) revert AlreadyMinted(tokenId);
        bytes memory claim = claimOf(provider, claimId);
        if (claim.length == 0) revert NoSuchClaim(provider, claimId);
        // Claim [provider, client, data, size, term min, term max, term start, sector]
        (, uint256 at) = claim.readArray(0);
        (bytes memory stored, uint256 next) = claim.readCid(claim.skip(claim.skip(at)));
        if (keccak256(stored) != keccak256(pieceCid)) revert WrongPiece(tokenId);
        (int64 termMax, uint256 afterMax) = claim.readInt(claim.skip(claim.skip(next)));
        (int64 termStart,) = claim.readInt(afterMax);
        backedUntil[tokenId] = termStart + termMax;
        issue(to, tokenId, pieceCid, uri);
    }

    /// What the market (or the verified registry) says about a token's backing now.
    function backing(uint256 tokenId) public returns (Backing) {
        if (backedUntil[tokenId] == 0) revert NoSuchToken(tokenId);
        if (int64(uint64(block.number)) >= backedUntil[tokenId]) return Backing.Ended;
        if (tokenId & CLAIM_TOKEN != 0) {
            // A claim stays until its term ends, even when its sector is terminated.
            return claimOf(uint64(tokenId >> 64), uint64(tokenId)).length > 0 ? Backing.Active : Backing.Ended;
        }
        (int256 exitCode, bytes memory answer) =
            Actor.call(Actor.MARKET, GET_DEAL_ACTIVATION, Cbor.uint64Item(uint64(tokenId)), 0, true);
        // The market drops a deal that is slashed, or that was never sealed by its start epoch.
        if (exitCode == Actor.EX_DEAL_EXPIRED) return Backing.Slashed;
        if (exitCode != 0) revert Actor.ActorCallFailed(Actor.MARKET, GET_DEAL_ACTIVATION, exitCode);
        (, uint256 at) = answer.readArray(0); // [activated, terminated]
        (int64 activated, uint256 next) = answer.readInt(at);
        (int64 terminated,) = answer.readInt(next);
        if (terminated >= 0) return Backing.Slashed;
        return activated > 0 ? Backing.Active : Backing.NotActivated;
    }

    function approve(address approved, uint256 tokenId) external {
        address owner = ownerOf[tokenId];
        if (msg.sender != owner && !isApprovedForAll[owner][msg.sender]) revert NotAuthorized(msg.sender, tokenId);
        getApproved[tokenId] = approved;
        emit Approval(owner, approved, tokenId);
    }

    function setApprovalForAll(address operator, bool approved) external {
        isApprovedForAll[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// Moves a token; reverts with NotBacked unless its deal (or claim) still stands.
    function transferFrom(address from, address to, uint256 tokenId) public {
        address owner = ownerOf[tokenId];
        if (owner == address(0)) revert NoSuchToken(tokenId);
        require(from == owner && to != address(0), "bad transfer");
        if (msg.sender != owner && msg.sender != getApproved[tokenId] && !isApprovedForAll[owner][msg.sender]) {
            revert NotAuthorized(msg.sender, tokenId);
        }
        requireBacked(tokenId);
        delete getApproved[tokenId];
        balanceOf[from]--;
        balanceOf[to]++;
        ownerOf[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferFrom(from, to, tokenId);
        if (to.code.length > 0) {
            bytes4 answer = IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data);
            if (answer != IERC721Receiver.onERC721Received.selector) revert UnsafeRecipient(to);
        }
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 // ERC-165
            || interfaceId == 0x80ac58cd // ERC-721
            || interfaceId == 0x5b5e139f; // ERC-721 metadata
    }

    function issue(address to, uint256 tokenId, bytes calldata pieceCid, string calldata uri) internal {
        requireBacked(tokenId);
        pieceOf[tokenId] = pieceCid;
        tokenURI[tokenId] = uri;
        balanceOf[to]++;
        ownerOf[tokenId] = to;
        emit Transfer(address(0), to, tokenId);
    }

    function requireBacked(uint256 tokenId) internal {
        Backing b = backing(tokenId);
        if (b != Backing.Active) revert NotBacked(tokenId, b);
    }

    /// Claim `claimId` of `provider` as the verified registry answers it (GetClaims), or empty bytes.
    function claimOf(uint64 provider, uint64 claimId) internal returns (bytes memory claim) {
        bytes memory params = abi.encodePacked(Cbor.array(2), Cbor.uint64Item(provider), Cbor.array(1), Cbor.uint64Item(claimId));
        bytes memory answer = Actor.callOrRevert(Actor.VERIFIED_REGISTRY, GET_CLAIMS, params, 0, true);
        // [BatchReturn [success count, failures], [claims]]
        (, uint256 at) = answer.readArray(0);
        (, uint256 inBatch) = answer.readArray(at);
        (uint64 successes,) = answer.readUint(inBatch);
        if (successes == 0) return "";
        (, at) = answer.readArray(answer.skip(at));
        uint256 end = answer.skip(at);
        claim = new bytes(end - at);
        for (uint256 i = 0; i < claim.length; i++) claim[i] = answer[at + i];
    }
}
