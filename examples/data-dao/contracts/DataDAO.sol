// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Actor, Cbor} from "./Filecoin.sol";

/// A DataDAO: members propose datasets (piece CIDs) to store with a storage provider, vote on
/// them, and fund the accepted ones with the DAO's verified DataCap (direct data onboarding: a
/// DataCap transfer to the verified registry carrying an allocation for the provider). When the
/// provider proves the data in a sector, the verified registry holds a claim for it; the DAO then
/// pays its reward: half to the proposer, half shared by the members who voted for it.
contract DataDAO {
    using Cbor for bytes;

    uint64 constant DATACAP_TRANSFER = 80475954;
    uint64 constant DATACAP_RECEIVE = 3726118371;
    uint64 constant GET_CLAIMS = 2199871187;
    uint64 constant SECTOR_CONTENT_CHANGED = 2034386435;
    /// The shortest and longest terms a verified allocation may ask for (180 days; 5 years).
    int64 constant TERM_MIN = 518_400;
    int64 constant TERM_MAX = 5_256_000;
    /// Epochs the provider has to claim an allocation (30 days; at most 60).
    int64 constant ALLOCATION_EXPIRATION = 86_400;

    enum Status {
        None,
        Voting,
        Rejected,
        Funded,
        Stored,
        Rewarded
    }

    struct Dataset {
        address proposer;
        bytes pieceCid;
        uint64 pieceSize;
        uint64 provider;
        uint32 yes;
        uint32 no;
        Status status;
        uint64 allocationId;
    }

    mapping(address => bool) public isMember;
    uint32 public memberCount;
    /// FIL paid for each dataset stored.
    uint256 public immutable reward;

    Dataset[] internal datasets;
    mapping(uint256 => mapping(address => bool)) public voted;
    mapping(uint256 => address[]) internal supporters;

    event Proposed(uint256 indexed id, address indexed proposer, bytes pieceCid, uint64 provider);
    event Voted(uint256 indexed id, address indexed member, bool support);
    event Rejected(uint256 indexed id);
    event Funded(uint256 indexed id, uint64 allocationId);
    event Stored(uint256 indexed id, uint64 indexed provider, uint64 sector);
    event Rewarded(uint256 indexed id, address indexed member, uint256 amount);

    error NotMember(address caller);
    error AlreadyVoted(uint256 id);
    error WrongStatus(uint256 id, Status status);
    error NotDecided(uint256 id);
    error NotClaimed(uint256 id);

    constructor(address[] memory members, uint256 reward_) payable {
        for (uint256 i = 0; i < members.length; i++) {
            if (!isMember[members[i]]) memberCount++;
            isMember[members[i]] = true;
        }
        reward = reward_;
    }

    modifier onlyMember() {
        if (!isMember[msg.sender]) revert NotMember(msg.sender);
        _;
    }

    /// Proposes storing a piece with a storage provider (miner actor ID); the proposer votes for it.
    function propose(bytes calldata pieceCid, uint64 pieceSize, uint64 provider) external onlyMember returns (uint256 id) {
        id = datasets.length;
        datasets.push(Dataset(msg.sender, pieceCid, pieceSize, provider, 0, 0, Status.Voting, 0));
        emit Proposed(id, msg.sender, pieceCid, provider);
        vote(id, true);
    }

    function vote(uint256 id, bool support) public onlyMember {
        Dataset storage d = datasets[id];
        if (d.status != Status.Voting) revert WrongStatus(id, d.status);
        if (voted[id][msg.sender]) revert AlreadyVoted(id);
        voted[id][msg.sender] = true;
        if (support) {
            d.yes++;
            supporters[id].push(msg.sender);
        } else {
            d.no++;
        }
        emit Voted(id, msg.sender, support);
    }

    /// Once a majority of all members has voted one way: funds the dataset with DataCap, or rejects it.
    function execute(uint256 id) external {
        Dataset storage d = datasets[id];
        if (d.status != Status.Voting) revert WrongStatus(id, d.status);
        if (2 * d.no >= memberCount) {
            d.status = Status.Rejected;
            emit Rejected(id);
            return;
        }
        if (2 * d.yes <= memberCount) revert NotDecided(id);
        d.allocationId = allocate(d);
        d.status = Status.Funded;
        emit Funded(id, d.allocationId);
    }

    /// Pays the reward of a funded dataset once the verified registry holds the provider's claim
    /// for it (the provider proved the data in a sector).
    function distributeRewards(uint256 id) external {
        Dataset storage d = datasets[id];
        if (d.status != Status.Funded && d.status != Status.Stored) revert WrongStatus(id, d.status);
        if (!claimed(d.provider, d.allocationId)) revert NotClaimed(id);
        d.status = Status.Rewarded;
        address[] memory voters = supporters[id];
        pay(id, d.proposer, reward / 2);
        for (uint256 i = 0; i < voters.length; i++) pay(id, voters[i], reward / 2 / voters.length);
    }

    function dataset(uint256 id) external view returns (Dataset memory) {
        return datasets[id];
    }

    function datasetCount() external view returns (uint256) {
        return datasets.length;
    }

    /// DataCap arriving (FRC-46 Receive from the DataCap actor), and the miner's news that data
    /// the DAO allocated is in a sector (SectorContentChanged, FIP-0109).
    function handle_filecoin_method(uint64 method, uint64, bytes memory params)
        external
        returns (uint32, uint64, bytes memory)
    {
        if (method == DATACAP_RECEIVE) {
            require(msg.sender == Actor.maskedId(Actor.DATACAP), "DataCap only from the DataCap actor");
            return (0, 0, "");
        }
        if (method == SECTOR_CONTENT_CHANGED) return (0, Actor.CBOR_CODEC, sectorContentChanged(params));
        revert("unhandled method");
    }

    /// DataCap for the piece, sent to the verified registry with an allocation request for the provider.
    function allocate(Dataset storage d) internal returns (uint64 allocationId) {
        // AllocationRequest [provider, data, size, term min, term max, expiration]
        bytes memory request = abi.encodePacked(
            Cbor.array(6), Cbor.uint64Item(d.provider), Cbor.cidItem(d.pieceCid), Cbor.uint64Item(d.pieceSize)
        );
        request = abi.encodePacked(
            request,
            Cbor.int64Item(TERM_MIN),
            Cbor.int64Item(TERM_MAX),
            Cbor.int64Item(int64(uint64(block.number)) + ALLOCATION_EXPIRATION)
        );
        // AllocationRequests: [[allocation requests], [claim extensions]]
        bytes memory operatorData = abi.encodePacked(Cbor.array(2), Cbor.array(1), request, Cbor.array(0));
        bytes memory params = abi.encodePacked(
            Cbor.array(3),
            Cbor.bytesItem(Actor.idAddress(Actor.VERIFIED_REGISTRY)),
            Cbor.bigIntItem(uint256(d.pieceSize) * 1e18), // DataCap tokens: 10^18 per byte
            Cbor.bytesItem(operatorData)
        );
        bytes memory answer = Actor.callOrRevert(Actor.DATACAP, DATACAP_TRANSFER, params, 0, false);
        // TransferReturn [from balance, to balance, recipient data]; the recipient data is the
        // registry's AllocationsResponse [allocation results, extension results, [new allocation IDs]].
        (, uint256 at) = answer.readArray(0);
        at = answer.skip(answer.skip(at));
        (bytes memory response,) = answer.readBytes(at);
        (, at) = response.readArray(0);
        at = response.skip(response.skip(at));
        (, at) = response.readArray(at);
        (allocationId,) = response.readUint(at);
    }

    /// Whether the verified registry holds claim `claimId` of `provider` (GetClaims).
    function claimed(uint64 provider, uint64 claimId) internal returns (bool) {
        bytes memory params = abi.encodePacked(Cbor.array(2), Cbor.uint64Item(provider), Cbor.array(1), Cbor.uint64Item(claimId));
        bytes memory answer = Actor.callOrRevert(Actor.VERIFIED_REGISTRY, GET_CLAIMS, params, 0, true);
        // [BatchReturn [success count, failures], [claims]]
        (, uint256 at) = answer.readArray(0);
        (, at) = answer.readArray(at);
        (uint64 successes,) = answer.readUint(at);
        return successes == 1;
    }

    /// Params [[sector, minimum commitment epoch, [[piece CID, size, payload]…]]…]; marks the DAO's
    /// funded datasets in them stored, and accepts every piece ([[true…]…]).
    function sectorContentChanged(bytes memory params) internal returns (bytes memory answer) {
        uint64 provider = uint64(uint160(msg.sender));
        (uint64 sectors, uint256 at) = params.readArray(0);
        answer = Cbor.array(sectors);
        for (uint64 s = 0; s < sectors; s++) {
            (, at) = params.readArray(at);
            uint64 sector;
            (sector, at) = params.readUint(at);
            at = params.skip(at); // minimum commitment epoch
            uint64 pieces;
            (pieces, at) = params.readArray(at);
            answer = abi.encodePacked(answer, Cbor.array(pieces));
            for (uint64 p = 0; p < pieces; p++) {
                (, at) = params.readArray(at);
                bytes memory cid;
                (cid, at) = params.readCid(at);
                at = params.skip(params.skip(at)); // size, payload
                markStored(provider, sector, cid);
                answer = abi.encodePacked(answer, Cbor.boolItem(true));
            }
        }
    }

    function markStored(uint64 provider, uint64 sector, bytes memory cid) internal {
        for (uint256 id = 0; id < datasets.length; id++) {
            Dataset storage d = datasets[id];
            if (d.status == Status.Funded && d.provider == provider && keccak256(d.pieceCid) == keccak256(cid)) {
                d.status = Status.Stored;
                emit Stored(id, provider, sector);
            }
        }
    }

    function pay(uint256 id, address member, uint256 amount) internal {
        (bool ok,) = member.call{value: amount}("");
        require(ok, "reward transfer failed");
        emit Rewarded(id, member, amount);
    }

    receive() external payable {}
}
