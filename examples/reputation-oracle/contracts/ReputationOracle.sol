// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Actor, Cbor} from "./Filecoin.sol";

/// Scores storage providers from facts the chain holds, read through the call_actor_id precompile:
/// their raw power at the power actor (faulty sectors lose it), and what became of the deals the
/// oracle was asked to follow at the market actor (activated, slashed, or never sealed). Anyone
/// may feed it (observe, recordDeal, checkDeal); no one can tell it a fact the actors do not hold.
///
/// score = 50 × power / peak power seen  +  50 × deals kept / deals resolved   (0 … 100)
/// A provider with no resolved deal gets half of the deal part (25).
contract ReputationOracle {
    using Cbor for bytes;

    uint64 constant MINER_RAW_POWER = 3753401894;
    uint64 constant GET_DEAL_PROVIDER = 935081690;
    uint64 constant GET_DEAL_TERM = 163777312;
    uint64 constant GET_DEAL_ACTIVATION = 2567238399;

    struct Provider {
        uint256 power;
        uint256 peakPower;
        bool meetsConsensusMinimum;
        int64 observedAt;
        uint32 dealsActivated;
        uint32 dealsSlashed;
        uint32 dealsMissed;
    }

    enum DealOutcome {
        Unknown,
        Pending,
        Active,
        Slashed,
        Missed,
        Completed
    }

    struct Deal {
        uint64 provider;
        int64 startEpoch;
        int64 endEpoch;
        DealOutcome outcome;
    }

    mapping(uint64 => Provider) public providers;
    mapping(uint64 => Deal) public deals;

    event PowerObserved(uint64 indexed provider, uint256 power, bool meetsConsensusMinimum);
    event DealOutcomeChanged(uint64 indexed dealId, uint64 indexed provider, DealOutcome outcome);

    error UnknownDeal(uint64 dealId);

    /// Reads a miner's raw power from the power actor (MinerRawPower).
    function observe(uint64 minerId) public {
        bytes memory answer = Actor.callOrRevert(Actor.POWER, MINER_RAW_POWER, Cbor.uint64Item(minerId), 0, true);
        (, uint256 at) = answer.readArray(0);
        uint256 power;
        bool meets;
        (power, at) = answer.readBigInt(at);
        (meets,) = answer.readBool(at);
        Provider storage p = providers[minerId];
        p.power = power;
        if (power > p.peakPower) p.peakPower = power;
        p.meetsConsensusMinimum = meets;
        p.observedAt = int64(uint64(block.number));
        emit PowerObserved(minerId, power, meets);
    }

    /// Starts following a market deal: its provider and term come from the market actor.
    function recordDeal(uint64 dealId) external {
        require(deals[dealId].outcome == DealOutcome.Unknown, "deal already recorded");
        // The provider's actor ID (GetDealProviderReturn is an ActorID).
        bytes memory provider = Actor.callOrRevert(Actor.MARKET, GET_DEAL_PROVIDER, Cbor.uint64Item(dealId), 0, true);
        (uint64 minerId,) = provider.readUint(0);
        bytes memory term = Actor.callOrRevert(Actor.MARKET, GET_DEAL_TERM, Cbor.uint64Item(dealId), 0, true);
        (, uint256 at) = term.readArray(0);
        int64 start;
        int64 duration;
        (start, at) = term.readInt(at);
        (duration,) = term.readInt(at);
        deals[dealId] = Deal(minerId, start, start + duration, DealOutcome.Pending);
        checkDeal(dealId);
    }

    /// Reads a followed deal's state from the market (GetDealActivation) and counts what changed.
    function checkDeal(uint64 dealId) public returns (DealOutcome) {
        Deal storage d = deals[dealId];
        if (d.outcome == DealOutcome.Unknown) revert UnknownDeal(dealId);
        if (d.outcome != DealOutcome.Pending && d.outcome != DealOutcome.Active) return d.outcome;
        (int256 exitCode, bytes memory answer) =
            Actor.call(Actor.MARKET, GET_DEAL_ACTIVATION, Cbor.uint64Item(dealId), 0, true);
        DealOutcome next;
        if (exitCode == Actor.EX_DEAL_EXPIRED) {
            // The market dropped the deal: at its end it completed; before, it was slashed (if it
            // had been activated) or never sealed by its start.
            int64 epoch = int64(uint64(block.number));
            next = epoch >= d.endEpoch
                ? DealOutcome.Completed
                : d.outcome == DealOutcome.Active ? DealOutcome.Slashed : DealOutcome.Missed;
        } else {
            if (exitCode != 0) revert Actor.ActorCallFailed(Actor.MARKET, GET_DEAL_ACTIVATION, exitCode);
            (, uint256 at) = answer.readArray(0);
            int64 activated;
            int64 terminated;
            (activated, at) = answer.readInt(at);
            (terminated,) = answer.readInt(at);
            next = terminated >= 0 ? DealOutcome.Slashed : activated > 0 ? DealOutcome.Active : DealOutcome.Pending;
        }
        if (next == d.outcome) return next;
        Provider storage p = providers[d.provider];
        if (next == DealOutcome.Active || (d.outcome == DealOutcome.Pending && next == DealOutcome.Slashed)) {
            p.dealsActivated++;
        }
        if (next == DealOutcome.Slashed) p.dealsSlashed++;
        if (next == DealOutcome.Missed) p.dealsMissed++;
        d.outcome = next;
        emit DealOutcomeChanged(dealId, d.provider, next);
        return next;
    }

    /// The provider's score, 0 … 100, from the facts recorded so far.
    function score(uint64 minerId) external view returns (uint256) {
        Provider memory p = providers[minerId];
        uint256 powerPart = p.peakPower == 0 ? 0 : (50 * p.power) / p.peakPower;
        uint256 resolved = uint256(p.dealsActivated) + p.dealsMissed;
        uint256 dealPart = resolved == 0 ? 25 : (50 * (p.dealsActivated - p.dealsSlashed)) / resolved;
        return powerPart + dealPart;
    }
}
