// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Just enough CBOR for builtin actors' params and returns: item headers, integers, byte and text
/// strings, booleans, Filecoin big integers, CIDs and ID addresses, and skipping items while reading.
/// Written for the fvm-devnet examples (the same file is in each of them).
library Cbor {
    uint8 constant UINT = 0;
    uint8 constant NEGATIVE = 1;
    uint8 constant BYTES = 2;
    uint8 constant TEXT = 3;
    uint8 constant ARRAY = 4;
    uint8 constant MAP = 5;
    uint8 constant TAG = 6;
    uint8 constant SIMPLE = 7;

    function head(uint8 major, uint64 value) internal pure returns (bytes memory) {
        uint8 m = major << 5;
        if (value < 24) return abi.encodePacked(m | uint8(value));
        if (value <= type(uint8).max) return abi.encodePacked(m | 24, uint8(value));
        if (value <= type(uint16).max) return abi.encodePacked(m | 25, uint16(value));
        if (value <= type(uint32).max) return abi.encodePacked(m | 26, uint32(value));
        return abi.encodePacked(m | 27, value);
    }

    function array(uint64 count) internal pure returns (bytes memory) {
        return head(ARRAY, count);
    }

    function uint64Item(uint64 value) internal pure returns (bytes memory) {
        return head(UINT, value);
    }

    function int64Item(int64 value) internal pure returns (bytes memory) {
        if (value >= 0) return head(UINT, uint64(value));
        return head(NEGATIVE, uint64(-1 - value));
    }

    function bytesItem(bytes memory value) internal pure returns (bytes memory) {
        return abi.encodePacked(head(BYTES, uint64(value.length)), value);
    }

    function textItem(string memory value) internal pure returns (bytes memory) {
        return abi.encodePacked(head(TEXT, uint64(bytes(value).length)), value);
    }

    function boolItem(bool value) internal pure returns (bytes memory) {
        return abi.encodePacked(value ? bytes1(0xf5) : bytes1(0xf4));
    }

    /// A Filecoin big integer: a byte string, 0x00 (positive) then the big-endian magnitude; zero is empty.
    function bigIntItem(uint256 value) internal pure returns (bytes memory) {
        if (value == 0) return bytesItem("");
        uint256 length = 0;
        for (uint256 v = value; v > 0; v >>= 8) length++;
        bytes memory magnitude = new bytes(length);
        for (uint256 i = 0; i < length; i++) magnitude[length - 1 - i] = bytes1(uint8(value >> (8 * i)));
        return bytesItem(abi.encodePacked(bytes1(0x00), magnitude));
    }

    /// A CID as DAG-CBOR writes it: tag 42 around a byte string with a 0x00 prefix.
    function cidItem(bytes memory cid) internal pure returns (bytes memory) {
        return abi.encodePacked(head(TAG, 42), bytesItem(abi.encodePacked(bytes1(0x00), cid)));
    }

    /// The header at `at`: major type, its value (length, count or integer) and where its content starts.
    function readHead(bytes memory data, uint256 at) internal pure returns (uint8 major, uint64 value, uint256 next) {
        uint8 initial = uint8(data[at]);
        major = initial >> 5;
        uint8 info = initial & 31;
        if (info < 24) return (major, info, at + 1);
        uint256 size = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
        require(size > 0, "unsupported CBOR header");
        for (uint256 i = 0; i < size; i++) value = (value << 8) | uint8(data[at + 1 + i]);
        return (major, value, at + 1 + size);
    }

    /// Where the item after the one at `at` starts.
    function skip(bytes memory data, uint256 at) internal pure returns (uint256) {
        (uint8 major, uint64 value, uint256 next) = readHead(data, at);
        if (major == BYTES || major == TEXT) return next + value;
        if (major == ARRAY || major == MAP) {
            uint64 items = major == MAP ? 2 * value : value;
            for (uint64 i = 0; i < items; i++) next = skip(data, next);
            return next;
        }
        if (major == TAG) return skip(data, next);
        return next;
    }

    /// The count of the array at `at` and where its first element starts.
    function readArray(bytes memory data, uint256 at) internal pure returns (uint64 count, uint256 next) {
        uint8 major;
        (major, count, next) = readHead(data, at);
        require(major == ARRAY, "expected a CBOR array");
    }

    function readBytes(bytes memory data, uint256 at) internal pure returns (bytes memory value, uint256 next) {
        (uint8 major, uint64 length, uint256 start) = readHead(data, at);
        require(major == BYTES, "expected CBOR bytes");
        value = new bytes(length);
        for (uint256 i = 0; i < length; i++) value[i] = data[start + i];
        return (value, start + length);
    }

    function readUint(bytes memory data, uint256 at) internal pure returns (uint64 value, uint256 next) {
        uint8 major;
        (major, value, next) = readHead(data, at);
        require(major == UINT, "expected a CBOR unsigned integer");
    }

    function readInt(bytes memory data, uint256 at) internal pure returns (int64 value, uint256 next) {
        (uint8 major, uint64 raw, uint256 after_) = readHead(data, at);
        require(major == UINT || major == NEGATIVE, "expected a CBOR integer");
        return (major == UINT ? int64(raw) : -1 - int64(raw), after_);
    }

    function readBool(bytes memory data, uint256 at) internal pure returns (bool value, uint256 next) {
        (uint8 major, uint64 raw, uint256 after_) = readHead(data, at);
        require(major == SIMPLE && (raw == 20 || raw == 21), "expected a CBOR boolean");
        return (raw == 21, after_);
    }

    /// A non-negative Filecoin big integer (sign byte 0x00, then the magnitude) that fits 256 bits.
    function readBigInt(bytes memory data, uint256 at) internal pure returns (uint256 value, uint256 next) {
        bytes memory raw;
        (raw, next) = readBytes(data, at);
        if (raw.length == 0) return (0, next);
        require(raw[0] == 0x00, "expected a non-negative big integer");
        require(raw.length <= 33, "big integer over 256 bits");
        for (uint256 i = 1; i < raw.length; i++) value = (value << 8) | uint8(raw[i]);
    }

    /// The CID (without the 0x00 prefix) at `at`, a tag 42 item.
    function readCid(bytes memory data, uint256 at) internal pure returns (bytes memory cid, uint256 next) {
        (uint8 major, uint64 tag, uint256 start) = readHead(data, at);
        require(major == TAG && tag == 42, "expected a CID");
        bytes memory prefixed;
        (prefixed, next) = readBytes(data, start);
        cid = new bytes(prefixed.length - 1);
        for (uint256 i = 1; i < prefixed.length; i++) cid[i - 1] = prefixed[i];
    }

    /// The actor ID of an ID address (f0…: protocol byte 0, then the ID as unsigned LEB128).
    function readIdAddress(bytes memory data, uint256 at) internal pure returns (uint64 id, uint256 next) {
        bytes memory raw;
        (raw, next) = readBytes(data, at);
        require(raw.length > 1 && raw[0] == 0x00, "expected an ID address");
        for (uint256 i = 1; i < raw.length; i++) id |= uint64(uint8(raw[i]) & 0x7f) << uint64(7 * (i - 1));
    }
}

/// Calls to builtin actors (market, power, miners, verified registry, DataCap) through the FEVM's
/// call_actor_id precompile, and the address forms they use. Method numbers are FRC-42 numbers:
/// the first four bytes of blake2b-512("1|" + method name), big-endian.
library Actor {
    address constant CALL_ACTOR_ID = 0xfe00000000000000000000000000000000000005;
    address constant RESOLVE_ADDRESS = 0xFE00000000000000000000000000000000000001;
    uint64 constant CBOR_CODEC = 0x51;
    uint64 constant READ_ONLY = 1;

    uint64 constant POWER = 4;
    uint64 constant MARKET = 5;
    uint64 constant VERIFIED_REGISTRY = 6;
    uint64 constant DATACAP = 7;

    /// The market's exit code for a deal it no longer has: expired, slashed, or never activated.
    int256 constant EX_DEAL_EXPIRED = 32;
    /// The market's exit code for a published deal not yet in a sector (GetDealSector).
    int256 constant EX_DEAL_NOT_ACTIVATED = 33;

    error ActorCallFailed(uint64 actorId, uint64 method, int256 exitCode);

    /// Calls `method` of actor `actorId` with CBOR `params` (none if empty), sending `value`
    /// attoFIL from this contract. Returns the actor's exit code and its CBOR answer.
    function call(uint64 actorId, uint64 method, bytes memory params, uint256 value, bool readOnly)
        internal
        returns (int256 exitCode, bytes memory data)
    {
        uint64 codec = params.length == 0 ? 0 : CBOR_CODEC;
        (bool ok, bytes memory out) = CALL_ACTOR_ID.delegatecall(
            abi.encode(method, value, readOnly ? READ_ONLY : 0, codec, params, actorId)
        );
        require(ok, "call_actor_id failed");
        (exitCode,, data) = abi.decode(out, (int256, uint64, bytes));
    }

    /// `call`, reverting with ActorCallFailed unless the actor answers exit code 0.
    function callOrRevert(uint64 actorId, uint64 method, bytes memory params, uint256 value, bool readOnly)
        internal
        returns (bytes memory data)
    {
        int256 exitCode;
        (exitCode, data) = call(actorId, method, params, value, readOnly);
        if (exitCode != 0) revert ActorCallFailed(actorId, method, exitCode);
    }

    /// An ID address (f0…) as bytes: protocol 0, then the ID as unsigned LEB128.
    function idAddress(uint64 id) internal pure returns (bytes memory out) {
        out = abi.encodePacked(bytes1(0x00));
        do {
            uint8 b = uint8(id & 0x7f);
            id >>= 7;
            out = abi.encodePacked(out, id == 0 ? b : b | 0x80);
        } while (id != 0);
    }

    /// An Ethereum address as a Filecoin f410 address: protocol 4, namespace 10 (the EAM), the 20 bytes.
    function f410Address(address a) internal pure returns (bytes memory) {
        return abi.encodePacked(hex"040a", a);
    }

    /// How an EVM contract sees an actor without an Ethereum address (msg.sender of an f1 account, a miner).
    function maskedId(uint64 id) internal pure returns (address) {
        return address(uint160((uint256(0xff) << 152) | id));
    }

    /// The actor ID of an Ethereum address (through the resolve_address precompile); 0 if it has none yet.
    function idOf(address a) internal view returns (uint64) {
        if (uint160(a) >> 64 == uint160(0xff) << 88) return uint64(uint160(a));
        (bool ok, bytes memory out) = RESOLVE_ADDRESS.staticcall(f410Address(a));
        require(ok, "resolve_address failed");
        return out.length == 0 ? 0 : uint64(uint256(bytes32(out)));
    }
}
