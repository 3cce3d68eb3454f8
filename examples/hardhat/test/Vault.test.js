// Tests of contracts/Vault.sol with hardhat-ethers, the chai matchers and hardhat-network-helpers,
// run against fvm-devnet: `npx hardhat test --network localhost` while `npx fvm-devnet` runs.
const { expect } = require("chai");
const { ethers } = require("hardhat");
const { anyValue } = require("@nomicfoundation/hardhat-chai-matchers/withArgs");
const {
  impersonateAccount,
  loadFixture,
  mine,
  setBalance,
  stopImpersonatingAccount,
  takeSnapshot,
  time,
} = require("@nomicfoundation/hardhat-network-helpers");

const ONE_DAY = 24 * 60 * 60;
// The vault's guardian: an address nobody here has a key for (think of a multisig). The tests act
// as it through impersonation.
const GUARDIAN = ethers.getAddress("0x" + "c0ffee".padStart(40, "0"));

describe("Vault", function () {
  // loadFixture deploys once, takes a snapshot (evm_snapshot) and brings every later test back to
  // it (evm_revert).
  async function deployVault() {
    const [deployer, alice, bob] = await ethers.getSigners();
    const vault = await ethers.deployContract("Vault", [GUARDIAN, ONE_DAY]);
    await vault.waitForDeployment();
    return { vault, deployer, alice, bob };
  }

  async function deployVaultWithDeposit() {
    const fixture = await deployVault();
    const amount = ethers.parseEther("5");
    await (await fixture.vault.connect(fixture.alice).deposit({ value: amount })).wait();
    return { ...fixture, amount };
  }

  describe("deployment", function () {
    it("stores the guardian and the lock duration", async function () {
      const { vault } = await loadFixture(deployVault);
      expect(await vault.guardian()).to.equal(GUARDIAN);
      expect(await vault.lockDuration()).to.equal(ONE_DAY);
      expect(await ethers.provider.getCode(await vault.getAddress())).to.not.equal("0x");
    });

    it("can also be deployed with getContractFactory", async function () {
      const Vault = await ethers.getContractFactory("Vault");
      const vault = await Vault.deploy(GUARDIAN, 60);
      await vault.waitForDeployment();
      expect(await vault.lockDuration()).to.equal(60);
    });
  });

  describe("deposit", function () {
    it("emits Deposited with the unlock time, one lock duration after the block's timestamp", async function () {
      const { vault, alice } = await loadFixture(deployVault);
      const amount = ethers.parseEther("1");
      await expect(vault.connect(alice).deposit({ value: amount }))
        .to.emit(vault, "Deposited")
        .withArgs(alice.address, amount, anyValue);
      const unlock = await vault.unlockTime(alice.address);
      expect(unlock).to.equal(BigInt((await time.latest()) + ONE_DAY));
      expect(await vault.balanceOf(alice.address)).to.equal(amount);
    });

    it("moves the FIL into the vault (changeEtherBalance)", async function () {
      const { vault, alice } = await loadFixture(deployVault);
      const amount = ethers.parseEther("2");
      await expect(vault.connect(alice).deposit({ value: amount })).to.changeEtherBalance(vault, amount);
    });

    it("charges the depositor the amount plus the Filecoin gas fee", async function () {
      // As on Lotus, the receipt's effectiveGasPrice is the fee divided by gasUsed, rounded down, so
      // gasUsed * effectiveGasPrice can fall short of the fee by less than gasUsed attoFIL. That is
      // why the chai matchers' changeEtherBalance, which subtracts that product for the sender, is
      // used here only on the vault.
      const { vault, alice } = await loadFixture(deployVault);
      const amount = ethers.parseEther("2");
      const before = await ethers.provider.getBalance(alice.address);
      const receipt = await (await vault.connect(alice).deposit({ value: amount })).wait();
      const fee = before - (await ethers.provider.getBalance(alice.address)) - amount;
      expect(receipt.gasUsed).to.be.greaterThan(1_000_000n); // Filecoin gas: millions per call
      expect(fee).to.be.at.least(receipt.gasUsed * receipt.gasPrice);
      expect(fee).to.be.lessThan(receipt.gasUsed * (receipt.gasPrice + 1n));
    });

    it("rejects an empty deposit with ZeroDeposit", async function () {
      const { vault, alice } = await loadFixture(deployVault);
      await expect(vault.connect(alice).deposit({ value: 0 })).to.be.revertedWithCustomError(vault, "ZeroDeposit");
    });
  });

  describe("withdraw", function () {
    it("reverts with StillLocked before the unlock time", async function () {
      const { vault, alice } = await loadFixture(deployVaultWithDeposit);
      const unlock = await vault.unlockTime(alice.address);
      await expect(vault.connect(alice).withdraw())
        .to.be.revertedWithCustomError(vault, "StillLocked")
        .withArgs(unlock, anyValue);
    });

    it("reverts with NothingToWithdraw for an account without a deposit", async function () {
      const { vault, bob } = await loadFixture(deployVaultWithDeposit);
      await expect(vault.connect(bob).withdraw()).to.be.revertedWithCustomError(vault, "NothingToWithdraw");
    });

    it("mines a failing transaction sent with its own gas limit, with receipt status 0 (reverted)", async function () {
      // With an explicit gasLimit, hardhat-ethers skips eth_estimateGas: the node includes the
      // transaction and executes it, and it fails (exit code 33, as on Lotus).
      const { vault, bob } = await loadFixture(deployVaultWithDeposit);
      const before = await ethers.provider.getBlockNumber();
      await expect(vault.connect(bob).withdraw({ gasLimit: 50_000_000 })).to.be.reverted;
      const block = await ethers.provider.getBlock(before + 1, true);
      const receipt = await ethers.provider.getTransactionReceipt(block.transactions[0]);
      expect(receipt.status).to.equal(0);
      expect(receipt.from).to.equal(bob.address);
    });

    it("pays out once time.increase has passed the lock", async function () {
      const { vault, alice, amount } = await loadFixture(deployVaultWithDeposit);
      await time.increase(ONE_DAY);
      await expect(vault.connect(alice).withdraw())
        .to.emit(vault, "Withdrawn")
        .withArgs(alice.address, amount);
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
    });

    it("pays out at the unlock time reached with time.increaseTo", async function () {
      const { vault, alice, amount } = await loadFixture(deployVaultWithDeposit);
      const unlock = await vault.unlockTime(alice.address);
      await time.increaseTo(unlock);
      expect(await time.latest()).to.equal(Number(unlock));
      await expect(vault.connect(alice).withdraw()).to.changeEtherBalance(vault, -amount);
    });

    it("is undone by takeSnapshot().restore()", async function () {
      const { vault, alice, amount } = await loadFixture(deployVaultWithDeposit);
      await time.increase(ONE_DAY);
      const snapshot = await takeSnapshot();
      await (await vault.connect(alice).withdraw()).wait();
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
      await snapshot.restore();
      expect(await vault.balanceOf(alice.address)).to.equal(amount);
      expect(await ethers.provider.getBalance(await vault.getAddress())).to.equal(amount);
    });
  });

  describe("guardian", function () {
    it("rejects anyone else with NotGuardian", async function () {
      const { vault, alice } = await loadFixture(deployVault);
      await expect(vault.connect(alice).setLockDuration(60))
        .to.be.revertedWithCustomError(vault, "NotGuardian")
        .withArgs(alice.address);
    });

    it("changes the lock duration when impersonated (impersonateAccount, setBalance)", async function () {
      const { vault, alice } = await loadFixture(deployVault);
      await setBalance(GUARDIAN, ethers.parseEther("10"));
      expect(await ethers.provider.getBalance(GUARDIAN)).to.equal(ethers.parseEther("10"));
      await impersonateAccount(GUARDIAN);
      try {
        const guardian = await ethers.getSigner(GUARDIAN);
        await expect(vault.connect(guardian).setLockDuration(60)).to.emit(vault, "LockDurationChanged").withArgs(60);
      } finally {
        await stopImpersonatingAccount(GUARDIAN);
      }
      // The new duration applies to the next deposit.
      await (await vault.connect(alice).deposit({ value: 1n })).wait();
      expect(await vault.unlockTime(alice.address)).to.equal(BigInt((await time.latest()) + 60));
    });
  });

  describe("chain control", function () {
    it("mines empty blocks with mine()", async function () {
      const before = await ethers.provider.getBlockNumber();
      await mine(5);
      expect(await ethers.provider.getBlockNumber()).to.equal(before + 5);
    });
  });
});
