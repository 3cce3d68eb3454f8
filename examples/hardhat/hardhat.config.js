// Hardhat 2 configuration for testing against fvm-devnet (`npx fvm-devnet`, then
// `npx hardhat test --network localhost`).
require("@nomicfoundation/hardhat-ethers");
require("@nomicfoundation/hardhat-chai-matchers");

const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

// The compiler comes from the `solc` npm package (solc-js, WebAssembly) instead of Hardhat's
// download, so compiling works offline. Its version must match `solidity.version` below.
const SOLC_VERSION = require("solc/package.json").version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async ({ solcVersion }, _hre, runSuper) => {
  if (solcVersion !== SOLC_VERSION) return runSuper(); // any other version: Hardhat downloads it
  return {
    version: SOLC_VERSION,
    longVersion: require("solc").version(),
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
  };
});

/** @type {import("hardhat/config").HardhatUserConfig} */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      // Hardhat 2 compiles for Paris unless told (no PUSH0, MCOPY or transient storage). The FEVM
      // (nv28) runs every instruction up to Osaka's CLZ except the blob ones: "osaka" works too.
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
    },
  },
  networks: {
    localhost: {
      url: process.env.FVM_DEVNET_URL ?? "http://127.0.0.1:8545",
      chainId: 31415926,
      // Ask the node for every gas limit (eth_estimateGas). Not needed with fvm-devnet, which
      // hardhat-ethers estimates for anyway (it answers no hardhat_metadata, like Lotus); set here
      // to show that it works too.
      gas: "auto",
    },
  },
  mocha: {
    timeout: 60_000,
  },
};
