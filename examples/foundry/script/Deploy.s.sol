// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../lib/Vm.sol";
import {Counter} from "../src/Counter.sol";

/// Deploys Counter (starting at $COUNTER_INITIAL, default 0) and increments it once: two
/// transactions, signed with the key given to `forge script --private-key`.
contract Deploy {
    function run() external returns (Counter counter) {
        uint256 initial = vm.envOr("COUNTER_INITIAL", uint256(0));
        vm.startBroadcast();
        counter = new Counter(initial);
        counter.increment();
        vm.stopBroadcast();
    }
}
