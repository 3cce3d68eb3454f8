// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// The bench's contracts (bench/workload.ts): an ERC-20 for transfers, balanceOf calls and logs, and
// a contract whose call is EVM work (hashing) rather than state access.

contract BenchToken {
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "balance");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}

contract BenchHeavy {
    bytes32 public last;

    /// 400 rounds of keccak256, then one SSTORE of the result.
    function hash(uint256 seed) external returns (bytes32 acc) {
        acc = bytes32(seed);
        for (uint256 i = 0; i < 400; ++i) acc = keccak256(abi.encode(acc, i));
        last = acc;
    }
}
