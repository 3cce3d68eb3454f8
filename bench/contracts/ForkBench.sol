// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// The fork bench's contract (bench/fork.ts): 100 storage slots written on the upstream, read by
// one call on the fork.
contract HundredSlots {
    uint256[100] public values;

    constructor() {
        for (uint256 i = 0; i < 100; ++i) values[i] = i + 1;
    }

    function sum() external view returns (uint256 total) {
        for (uint256 i = 0; i < 100; ++i) total += values[i];
    }
}
