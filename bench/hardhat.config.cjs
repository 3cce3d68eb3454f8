// The smallest config `hardhat node` accepts, for the bench's Hardhat peer: Hardhat Network's
// defaults (chain id 31337, the `test … junk` accounts with 10 000 ETH each, automine).
module.exports = {};
