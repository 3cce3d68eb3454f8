// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Actor, Cbor} from "./Filecoin.sol";

/// Perpetual storage: keeps `replicas` copies of one piece in storage deals with distinct storage
/// providers. Anyone may call maintain() (a keeper bot, a cron service): it asks the market about
/// each replica's deal and proposes a new deal for every replica that is missing, slashed, gone, or
/// about to expire. Proposals are announced the way storage providers watch for contract deals
/// (DealProposalCreate, then getDealProposal and getExtraParams), and the contract vouches for them when the market
/// asks (AuthenticateMessage) and learns their deal IDs when the market tells it (MarketNotifyDeal).
contract ReplicaKeeper {
    using Cbor for bytes;

    uint64 constant ADD_BALANCE = 822473126;
    uint64 constant GET_DEAL_ACTIVATION = 2567238399;
    uint64 constant AUTHENTICATE_MESSAGE = 2643134072;
    uint64 constant MARKET_NOTIFY_DEAL = 4186741094;

    enum Status {
        Healthy,
        Missing,
        Expiring,
        Lost
    }

    struct Replica {
        uint64 dealId;
        uint64 provider;
        int64 endEpoch;
        bool stored;
    }

    struct Proposal {
        uint8 slot;
        int64 startEpoch;
    }

    bytes public pieceCid;
    uint64 public immutable pieceSize;
    string public label;
    /// Where providers download the data (an http(s) URL) and its length in bytes: getExtraParams.
    string public locationRef;
    uint64 public immutable carSize;
    uint8 public immutable replicas;
    uint256 public immutable pricePerEpoch;
    int64 public immutable dealDuration;
    /// Epochs between proposing a deal and its start: the provider must seal the data by then.
    int64 public immutable startDelay;
    /// A replica whose deal ends within this many epochs is renewed.
    int64 public immutable renewWindow;

    /// The deal holding each replica (slot 0 … replicas - 1).
    mapping(uint8 => Replica) public replicaOf;
    /// The proposal waiting for a provider, per slot.
    mapping(uint8 => bytes32) public pendingProposal;
    mapping(bytes32 => Proposal) public proposals;
    /// Proposals are told apart by their start epoch, the one field a provider does not change.
    mapping(int64 => bytes32) public proposalStartingAt;
    uint256 public proposalCount;

    /// What storage providers watch for (fevm-hardhat-kit's DealClient event).
    event DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price);
    event ReplicaProposed(uint8 indexed slot, bytes32 id, int64 startEpoch);
    event ReplicaStored(uint8 indexed slot, uint64 dealId, uint64 provider);
    event ReplicaLost(uint8 indexed slot, uint64 dealId, Status status);
    event ProposalUnanswered(uint8 indexed slot, bytes32 id);

    error UnknownProposal(bytes32 id);

    constructor(
        bytes memory pieceCid_,
        uint64 pieceSize_,
        string memory label_,
        string memory locationRef_,
        uint64 carSize_,
        uint8 replicas_,
        uint256 pricePerEpoch_,
        int64 dealDuration_,
        int64 startDelay_,
        int64 renewWindow_
    ) {
        pieceCid = pieceCid_;
        pieceSize = pieceSize_;
        label = label_;
        locationRef = locationRef_;
        carSize = carSize_;
        replicas = replicas_;
        pricePerEpoch = pricePerEpoch_;
        dealDuration = dealDuration_;
        startDelay = startDelay_;
        renewWindow = renewWindow_;
    }

    /// Adds the FIL sent to this contract's market escrow, which pays its deals.
    function fund() external payable {
        Actor.callOrRevert(Actor.MARKET, ADD_BALANCE, Cbor.bytesItem(Actor.f410Address(address(this))), msg.value, false);
    }

    /// Checks every replica and proposes a deal for each one that needs it; returns how many it proposed.
    function maintain() external returns (uint256 proposed) {
        for (uint8 slot = 0; slot < replicas; slot++) {
            bytes32 waiting = pendingProposal[slot];
            if (waiting != 0) {
                // A proposal no provider took before its start can never become a deal: drop it.
                if (epoch() < proposals[waiting].startEpoch) continue;
                dropProposal(slot, waiting);
                emit ProposalUnanswered(slot, waiting);
            }
            Status s = status(slot);
            if (s == Status.Healthy) continue;
            if (s != Status.Missing) emit ReplicaLost(slot, replicaOf[slot].dealId, s);
            // A lost replica no longer counts against its provider; an expiring one serves until its end.
            if (s == Status.Lost) delete replicaOf[slot];
            propose(slot);
            proposed++;
        }
    }

    /// A replica's state, from the market: Lost when the market has dropped its deal (slashed,
    /// expired, or never sealed) or has it terminated.
    function status(uint8 slot) public returns (Status) {
        Replica memory r = replicaOf[slot];
        if (!r.stored) return Status.Missing;
        if (epoch() + renewWindow >= r.endEpoch) return Status.Expiring;
        (int256 exitCode, bytes memory answer) =
            Actor.call(Actor.MARKET, GET_DEAL_ACTIVATION, Cbor.uint64Item(r.dealId), 0, true);
        if (exitCode == Actor.EX_DEAL_EXPIRED) return Status.Lost;
        if (exitCode != 0) revert Actor.ActorCallFailed(Actor.MARKET, GET_DEAL_ACTIVATION, exitCode);
        (, uint256 at) = answer.readArray(0);
        at = answer.skip(at); // activated
        (int64 terminated,) = answer.readInt(at);
        return terminated >= 0 ? Status.Lost : Status.Healthy;
    }

    /// The number of replicas whose deal the market reports active and not about to end.
    function healthyReplicas() external returns (uint256 count) {
        for (uint8 slot = 0; slot < replicas; slot++) {
            if (status(slot) == Status.Healthy) count++;
        }
    }

    /// The CBOR DealProposal of proposal `id`; the provider (f00) is for the storage provider to fill in.
    function getDealProposal(bytes32 id) external view returns (bytes memory) {
        Proposal memory p = proposals[id];
        if (p.startEpoch == 0) revert UnknownProposal(id);
        bytes memory parties = abi.encodePacked(
            Cbor.array(11),
            Cbor.cidItem(pieceCid),
            Cbor.uint64Item(pieceSize),
            Cbor.boolItem(false),
            Cbor.bytesItem(Actor.f410Address(address(this))),
            Cbor.bytesItem(Actor.idAddress(0))
        );
        bytes memory terms = abi.encodePacked(
            Cbor.textItem(label),
            Cbor.int64Item(p.startEpoch),
            Cbor.int64Item(p.startEpoch + dealDuration),
            Cbor.bigIntItem(pricePerEpoch),
            Cbor.bigIntItem(0), // provider collateral
            Cbor.bigIntItem(0) // client collateral
        );
        return abi.encodePacked(parties, terms);
    }

    /// Where a provider fetches proposal `id`'s data (ExtraParamsV1: location, CAR size, skip IPNI
    /// announce, remove unsealed copy). Providers drop a proposal whose contract cannot answer this.
    function getExtraParams(bytes32 id) external view returns (bytes memory) {
        if (proposals[id].startEpoch == 0) revert UnknownProposal(id);
        return abi.encodePacked(
            Cbor.array(4), Cbor.textItem(locationRef), Cbor.uint64Item(carSize), Cbor.boolItem(false), Cbor.boolItem(false)
        );
    }

    /// The market calls here: AuthenticateMessage (read-only) before publishing a deal this contract
    /// pays for, MarketNotifyDeal after.
    function handle_filecoin_method(uint64 method, uint64, bytes memory params)
        external
        returns (uint32, uint64, bytes memory)
    {
        require(msg.sender == Actor.maskedId(Actor.MARKET), "only the market calls here");
        if (method == AUTHENTICATE_MESSAGE) {
            // [signature, proposal]: vouch only for an open proposal, on a provider holding no other replica.
            (, uint256 at) = params.readArray(0);
            (bytes memory proposal,) = params.readBytes(params.skip(at));
            (, uint8 slot, uint64 provider,) = readProposal(proposal);
            for (uint8 other = 0; other < replicas; other++) {
                Replica memory r = replicaOf[other];
                require(other == slot || !r.stored || r.provider != provider, "provider already holds a replica");
            }
            return (0, Actor.CBOR_CODEC, hex"f5"); // CBOR true
        }
        if (method == MARKET_NOTIFY_DEAL) {
            // [proposal, deal ID]
            (, uint256 at) = params.readArray(0);
            bytes memory proposal;
            (proposal, at) = params.readBytes(at);
            (uint64 dealId,) = params.readUint(at);
            (bytes32 id, uint8 slot, uint64 provider, int64 endEpoch) = readProposal(proposal);
            dropProposal(slot, id);
            replicaOf[slot] = Replica(dealId, provider, endEpoch, true);
            emit ReplicaStored(slot, dealId, provider);
            return (0, 0, "");
        }
        revert("unhandled method");
    }

    function propose(uint8 slot) internal {
        int64 start = epoch() + startDelay;
        while (proposalStartingAt[start] != 0) start++;
        bytes32 id = keccak256(abi.encodePacked(address(this), proposalCount++));
        proposals[id] = Proposal(slot, start);
        proposalStartingAt[start] = id;
        pendingProposal[slot] = id;
        emit ReplicaProposed(slot, id, start);
        emit DealProposalCreate(id, pieceSize, false, pricePerEpoch);
    }

    function dropProposal(uint8 slot, bytes32 id) internal {
        delete proposalStartingAt[proposals[id].startEpoch];
        delete proposals[id];
        delete pendingProposal[slot];
    }

    /// The open proposal a DealProposal (as the market passes it) answers, its provider and end epoch.
    function readProposal(bytes memory proposal)
        internal
        view
        returns (bytes32 id, uint8 slot, uint64 provider, int64 endEpoch)
    {
        (, uint256 at) = proposal.readArray(0);
        bytes memory cid;
        (cid, at) = proposal.readCid(at);
        require(keccak256(cid) == keccak256(pieceCid), "not this contract's piece");
        at = proposal.skip(proposal.skip(proposal.skip(at))); // size, verified, client
        (provider, at) = proposal.readIdAddress(at);
        at = proposal.skip(at); // label
        int64 startEpoch;
        (startEpoch, at) = proposal.readInt(at);
        (endEpoch,) = proposal.readInt(at);
        id = proposalStartingAt[startEpoch];
        require(id != 0, "no open proposal starts at this epoch");
        slot = proposals[id].slot;
    }

    function epoch() internal view returns (int64) {
        return int64(uint64(block.number));
    }

    receive() external payable {}
}
