// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A time-locked FIL vault
/// @notice Anyone deposits FIL that they can take back once their lock has expired. Each deposit
/// pushes the depositor's unlock time to `block.timestamp + lockDuration`. The guardian may change
/// the lock duration for future deposits.
contract Vault {
    address public immutable guardian;
    uint256 public lockDuration;

    mapping(address => uint256) public balanceOf;
    mapping(address => uint256) public unlockTime;

    event Deposited(address indexed account, uint256 amount, uint256 unlockTime);
    event Withdrawn(address indexed account, uint256 amount);
    event LockDurationChanged(uint256 lockDuration);

    error ZeroDeposit();
    error NothingToWithdraw();
    error StillLocked(uint256 unlockTime, uint256 currentTime);
    error NotGuardian(address caller);
    error TransferFailed();

    constructor(address guardian_, uint256 lockDuration_) {
        guardian = guardian_;
        lockDuration = lockDuration_;
    }

    function deposit() external payable {
        if (msg.value == 0) revert ZeroDeposit();
        uint256 until = block.timestamp + lockDuration;
        balanceOf[msg.sender] += msg.value;
        unlockTime[msg.sender] = until;
        emit Deposited(msg.sender, msg.value, until);
    }

    function withdraw() external {
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        uint256 until = unlockTime[msg.sender];
        if (block.timestamp < until) revert StillLocked(until, block.timestamp);
        balanceOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function setLockDuration(uint256 lockDuration_) external {
        if (msg.sender != guardian) revert NotGuardian(msg.sender);
        lockDuration = lockDuration_;
        emit LockDurationChanged(lockDuration_);
    }
}
