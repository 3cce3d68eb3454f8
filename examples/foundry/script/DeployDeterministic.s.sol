// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../lib/Vm.sol";
import {Counter} from "../src/Counter.sol";

/// Deploys Counter at an address fixed by a salt ($COUNTER_SALT, default 1) and its init code:
/// `new Counter{salt: salt}(0)`, which forge sends through a CREATE2 factory. Foundry's default one is
/// on neither calibnet nor the devnet; name the Safe singleton factory, which both have:
/// `--create2-deployer 0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7`. The factory deploys it, so the
/// factory is the Counter's `owner`.
contract DeployDeterministic {
    function run() external returns (Counter counter) {
        bytes32 salt = vm.envOr("COUNTER_SALT", bytes32(uint256(1)));
        vm.startBroadcast();
        counter = new Counter{salt: salt}(0);
        vm.stopBroadcast();
    }
}
