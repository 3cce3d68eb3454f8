// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Actor, Cbor} from "./Filecoin.sol";

/// A lending pool for storage providers. Lenders deposit FIL for shares of the pool. A storage
/// provider borrows FIL for its miner actor (pledge collateral for new sectors) and repays out of
/// the miner's earnings: its owner first proposes the pool as the miner's beneficiary, with a quota
/// of what it will owe (ChangeBeneficiary); the pool accepts the nomination and sends the loan to
/// the miner. From then on only the pool can withdraw the miner's available balance, up to the
/// quota: collect() does (WithdrawBalance). A loan not repaid by its due epoch can be declared in
/// default: what is missing is written off the lenders' shares, and the pool keeps collecting, as
/// beneficiary, until the term expires.
contract CollateralPool {
    using Cbor for bytes;

    uint64 constant METHOD_SEND = 0;
    uint64 constant CHANGE_BENEFICIARY = 1570634796;
    uint64 constant GET_BENEFICIARY = 4158972569;
    uint64 constant WITHDRAW_BALANCE = 2280458852;

    enum LoanState {
        None,
        Active,
        Repaid,
        Defaulted
    }

    struct Loan {
        uint256 principal;
        uint256 owed;
        uint256 repaid;
        int64 dueEpoch;
        LoanState state;
    }

    /// Interest on a loan, in basis points of the principal (1000 = 10 %).
    uint256 public immutable interestBps;
    /// Epochs from borrowing to the due epoch.
    int64 public immutable loanTerm;
    /// Epochs after the due epoch during which the pool stays the miner's beneficiary.
    int64 public immutable collectionGrace;

    mapping(address => uint256) public shares;
    uint256 public totalShares;
    /// What open loans still owe the pool.
    uint256 public outstanding;
    /// One loan per miner actor ID.
    mapping(uint64 => Loan) public loans;

    event Deposited(address indexed lender, uint256 amount, uint256 shares);
    event Withdrawn(address indexed lender, uint256 amount, uint256 shares);
    event LoanOpened(uint64 indexed miner, uint256 principal, uint256 owed, int64 dueEpoch);
    event Collected(uint64 indexed miner, uint256 amount);
    event LoanRepaid(uint64 indexed miner);
    event LoanDefaulted(uint64 indexed miner, uint256 shortfall);

    error NotEnoughLiquidity(uint256 available, uint256 wanted);
    error LoanAlreadyOpen(uint64 miner);
    error NoOpenLoan(uint64 miner);
    error NotNominated(uint64 miner);
    error NotDueYet(int64 dueEpoch);

    constructor(uint256 interestBps_, int64 loanTerm_, int64 collectionGrace_) {
        interestBps = interestBps_;
        loanTerm = loanTerm_;
        collectionGrace = collectionGrace_;
    }

    /// The pool's FIL: cash on hand plus what open loans owe.
    function totalAssets() public view returns (uint256) {
        return address(this).balance + outstanding;
    }

    function deposit() external payable {
        uint256 before = totalAssets() - msg.value;
        uint256 minted = totalShares == 0 || before == 0 ? msg.value : (msg.value * totalShares) / before;
        shares[msg.sender] += minted;
        totalShares += minted;
        emit Deposited(msg.sender, msg.value, minted);
    }

    /// Redeems `amount` shares for their part of the pool's assets, out of the cash on hand.
    function withdraw(uint256 amount) external {
        uint256 value = (amount * totalAssets()) / totalShares;
        if (value > address(this).balance) revert NotEnoughLiquidity(address(this).balance, value);
        shares[msg.sender] -= amount;
        totalShares -= amount;
        emit Withdrawn(msg.sender, value, amount);
        (bool ok,) = msg.sender.call{value: value}("");
        require(ok, "transfer failed");
    }

    /// What a loan of `principal` borrowed now would owe, and the ChangeBeneficiary params (CBOR)
    /// the miner's owner must send to propose the pool as beneficiary for it.
    function loanTerms(uint256 principal)
        public
        view
        returns (uint256 owed, int64 expiration, bytes memory changeBeneficiaryParams)
    {
        owed = principal + (principal * interestBps) / 10_000;
        expiration = epoch() + loanTerm + collectionGrace;
        changeBeneficiaryParams = abi.encodePacked(
            Cbor.array(3), Cbor.bytesItem(Actor.f410Address(address(this))), Cbor.bigIntItem(owed), Cbor.int64Item(expiration)
        );
    }

    /// Lends `principal` to miner `minerId`, whose owner has proposed the pool as beneficiary with
    /// a quota of what the loan owes and a term covering the loan. Anyone may call it: the FIL goes
    /// to the miner actor, and only the owner can have made the proposal.
    function borrow(uint64 minerId, uint256 principal) external {
        if (loans[minerId].state == LoanState.Active) revert LoanAlreadyOpen(minerId);
        if (principal > address(this).balance) revert NotEnoughLiquidity(address(this).balance, principal);
        (uint256 owed,,) = loanTerms(principal);
        int64 dueEpoch = epoch() + loanTerm;

        // The owner's proposal must name this pool, the loan's quota, and a term past the due epoch.
        (uint64 nominee, uint256 quota, int64 expiration) = pendingBeneficiary(minerId);
        if (nominee != Actor.idOf(address(this)) || quota != owed || expiration < dueEpoch) revert NotNominated(minerId);
        // Accepting the nomination makes the pool the beneficiary (the owner's own term has nothing left to approve).
        Actor.callOrRevert(
            minerId,
            CHANGE_BENEFICIARY,
            abi.encodePacked(Cbor.array(3), Cbor.bytesItem(Actor.f410Address(address(this))), Cbor.bigIntItem(quota), Cbor.int64Item(expiration)),
            0,
            false
        );
        Actor.callOrRevert(minerId, METHOD_SEND, "", principal, false);
        loans[minerId] = Loan(principal, owed, 0, dueEpoch, LoanState.Active);
        outstanding += owed;
        emit LoanOpened(minerId, principal, owed, dueEpoch);
    }

    /// Withdraws what the miner has available, up to what the loan still owes (the pool is the
    /// beneficiary, so the FIL comes here). Anyone may call it; returns the amount received.
    function collect(uint64 minerId) public returns (uint256 received) {
        Loan storage loan = loans[minerId];
        if (loan.state != LoanState.Active && loan.state != LoanState.Defaulted) revert NoOpenLoan(minerId);
        uint256 remaining = loan.owed - loan.repaid;
        if (remaining == 0) return 0;
        bytes memory answer = Actor.callOrRevert(
            minerId, WITHDRAW_BALANCE, abi.encodePacked(Cbor.array(1), Cbor.bigIntItem(remaining)), 0, false
        );
        (received,) = answer.readBigInt(0);
        if (received == 0) return 0;
        loan.repaid += received;
        // A defaulted loan's shortfall was written off already: what comes in now is recovered cash.
        if (loan.state == LoanState.Active) outstanding -= received;
        emit Collected(minerId, received);
        if (loan.repaid == loan.owed) {
            loan.state = LoanState.Repaid;
            emit LoanRepaid(minerId);
        }
    }

    /// After the due epoch, collects what it can and, if the loan is still short, writes the rest off.
    function declareDefault(uint64 minerId) external {
        Loan storage loan = loans[minerId];
        if (loan.state != LoanState.Active) revert NoOpenLoan(minerId);
        if (epoch() <= loan.dueEpoch) revert NotDueYet(loan.dueEpoch);
        collect(minerId);
        if (loan.state != LoanState.Active) return;
        uint256 shortfall = loan.owed - loan.repaid;
        outstanding -= shortfall;
        loan.state = LoanState.Defaulted;
        emit LoanDefaulted(minerId, shortfall);
    }

    /// The miner's pending beneficiary proposal (GetBeneficiary): nominee ID, quota, expiration.
    function pendingBeneficiary(uint64 minerId) internal returns (uint64 nominee, uint256 quota, int64 expiration) {
        bytes memory answer = Actor.callOrRevert(minerId, GET_BENEFICIARY, "", 0, true);
        (, uint256 at) = answer.readArray(0); // [active, proposed]
        at = answer.skip(at); // the active beneficiary and its term
        (uint8 major, uint64 count, uint256 next) = Cbor.readHead(answer, at);
        if (major != 4 || count != 5) revert NotNominated(minerId); // no proposal (CBOR null)
        (nominee, next) = answer.readIdAddress(next);
        (quota, next) = answer.readBigInt(next);
        (expiration,) = answer.readInt(next);
    }

    function epoch() internal view returns (int64) {
        return int64(uint64(block.number));
    }
}
