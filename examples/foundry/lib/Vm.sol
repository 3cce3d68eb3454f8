// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The few Foundry cheatcodes this example uses, so that it builds offline without forge-std.
/// With network access, `forge install foundry-rs/forge-std` and `import {Script} from
/// "forge-std/Script.sol"` / `import {Test} from "forge-std/Test.sol"` give you all of them.
interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
    function envOr(string calldata name, address defaultValue) external view returns (address value);
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256 value);
    function envOr(string calldata name, bytes32 defaultValue) external view returns (bytes32 value);
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    function rollFork(bytes32 txHash) external;
    function transact(bytes32 txHash) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter)
        external;
    function prank(address msgSender) external;
    function skip(bool skipTest) external;
    function assertEq(uint256 left, uint256 right, string calldata message) external pure;
    function assertEq(address left, address right, string calldata message) external pure;
    function assertGt(uint256 left, uint256 right, string calldata message) external pure;
}

// The cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
Vm constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
