// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {vm} from "../lib/Vm.sol";
import {Counter} from "../src/Counter.sol";

/// Run against the devnet with `forge test --fork-url http://127.0.0.1:8545`: the tests execute in
/// forge's own EVM on top of the devnet's state (its chain id, its funded dev accounts, and the
/// Counter that script/Deploy.s.sol deployed when $COUNTER_ADDRESS names it).
contract CounterTest {
    /// The first dev account of `npx fvm-devnet` (the "test test ... junk" mnemonic).
    address constant DEV_ACCOUNT_0 = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266;
    uint256 constant DEVNET_CHAIN_ID = 31415926;

    Counter counter;

    function setUp() public {
        counter = new Counter(5);
    }

    function test_ForkIsTheDevnet() public view {
        vm.assertEq(block.chainid, DEVNET_CHAIN_ID, "chain id of the fork");
        vm.assertGt(DEV_ACCOUNT_0.balance, 0, "dev account 0 is funded on the devnet");
    }

    function test_Increment() public {
        counter.increment();
        vm.assertEq(counter.count(), 6, "count after increment");
    }

    function test_EmitsCountChanged() public {
        vm.expectEmit(true, false, false, true, address(counter));
        emit Counter.CountChanged(address(this), 5, 8);
        counter.add(3);
    }

    function test_RevertWhen_AboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(Counter.CountTooHigh.selector, 1005, 1000));
        counter.add(1000);
    }

    function test_RevertWhen_BelowZero() public {
        Counter zero = new Counter(0);
        vm.expectRevert(bytes("Counter: cannot go below zero"));
        zero.decrement();
    }

    function test_RevertWhen_NotOwner() public {
        vm.prank(DEV_ACCOUNT_0);
        vm.expectRevert(abi.encodeWithSelector(Counter.NotOwner.selector, DEV_ACCOUNT_0));
        counter.reset();
    }

    /// Reads the Counter deployed on the devnet (COUNTER_ADDRESS=0x... forge test --fork-url ...)
    /// and changes it on the fork only; skipped when COUNTER_ADDRESS is not set.
    function test_DeployedCounter() public {
        Counter deployed = Counter(vm.envOr("COUNTER_ADDRESS", address(0)));
        if (address(deployed) == address(0)) {
            vm.skip(true);
            return;
        }
        vm.assertGt(address(deployed).code.length, 0, "code at COUNTER_ADDRESS");
        vm.assertEq(deployed.owner(), DEV_ACCOUNT_0, "owner: the deployer");
        uint256 before = deployed.count();
        vm.assertGt(before, 0, "Deploy.s.sol incremented it");
        deployed.increment();
        vm.assertEq(deployed.count(), before + 1, "count after increment on the fork");
        vm.prank(DEV_ACCOUNT_0);
        deployed.reset();
        vm.assertEq(deployed.count(), 0, "count after the owner's reset");
    }

    /// Goes back to the transaction that deployed the devnet's Counter (DEPLOY_TX=0x... with
    /// COUNTER_ADDRESS): forge fetches that tipset with its transactions, replays those before it,
    /// and runs the deployment itself with `vm.transact`; skipped when either is not set.
    function test_DeploymentTransaction() public {
        address deployed = vm.envOr("COUNTER_ADDRESS", address(0));
        bytes32 deployTx = vm.envOr("DEPLOY_TX", bytes32(0));
        if (deployed == address(0) || deployTx == bytes32(0)) {
            vm.skip(true);
            return;
        }
        // `count` is the contract's first storage slot, read from the devnet (eth_getStorageAt).
        vm.assertEq(uint256(vm.load(deployed, bytes32(0))), Counter(deployed).count(), "slot 0 is count");
        vm.rollFork(deployTx);
        vm.assertEq(deployed.code.length, 0, "no code before the deployment");
        vm.transact(deployTx);
        vm.assertGt(deployed.code.length, 0, "code once the deployment ran");
        vm.assertEq(Counter(deployed).owner(), DEV_ACCOUNT_0, "owner: the deployer");
        vm.assertEq(uint256(vm.load(deployed, bytes32(0))), 0, "count before the script's increment");
    }
}
