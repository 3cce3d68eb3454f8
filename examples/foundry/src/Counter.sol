// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A counter with a ceiling: an event on every change, a custom error when the ceiling would be
/// passed, a string reason when it would go below zero, and an owner-only reset.
contract Counter {
    uint256 public constant MAX = 1000;

    address public immutable owner;
    uint256 public count;

    event CountChanged(address indexed by, uint256 oldCount, uint256 newCount);

    error CountTooHigh(uint256 requested, uint256 max);
    error NotOwner(address caller);

    constructor(uint256 initial) {
        owner = msg.sender;
        _set(initial);
    }

    function increment() external {
        _set(count + 1);
    }

    function add(uint256 amount) external {
        _set(count + amount);
    }

    function decrement() external {
        require(count > 0, "Counter: cannot go below zero");
        _set(count - 1);
    }

    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _set(0);
    }

    function _set(uint256 newCount) private {
        if (newCount > MAX) revert CountTooHigh(newCount, MAX);
        emit CountChanged(msg.sender, count, newCount);
        count = newCount;
    }
}
