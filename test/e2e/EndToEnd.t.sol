// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";

/// @notice End to end: a real EZKL proof of the credit model (single-wallet circuit) attests a wallet low risk through
/// the real generated verifier; the wallet borrows at 85% LTV and accrues at 8%; an
/// unverified wallet is refused above 60%; a price drop makes a position liquidatable and the liquidator is paid the
/// incentive. Skipped while the credit fixtures are missing or in the old format (3 instances, before the claim
/// instance was added).
contract EndToEndTest is BaseTest {
    using MathLib for uint256;

    string internal constant DIR = "test/fixtures/credit/";
    uint256 internal constant COLLATERAL = 10e18; // 20,000 at 2,000
    address internal UNVERIFIED = makeAddr("unverified");

    bool internal realProof;

    function setUp() public override {
        super.setUp();
        _supply(SUPPLIER, 1_000_000e18);
    }

    /// @dev Attests BORROWER low risk with the first tier-0 fixture through the real verifier.
    function _attestLowRisk() internal {
        string memory manifestPath = string.concat(DIR, "manifest.json");
        if (!vm.exists(manifestPath)) {
            vm.skip(true, string.concat("no fixtures yet at ", manifestPath));
            return;
        }
        string memory manifest = vm.readFile(manifestPath);
        bytes32 modelId = vm.parseJsonBytes32(manifest, ".modelId");
        string[] memory names = vm.parseJsonStringArray(manifest, ".fixtures");
        for (uint256 i; i < names.length; ++i) {
            string memory json = vm.readFile(string.concat(DIR, names[i]));
            if (vm.parseJsonUint(json, ".tier") != 0) continue;
            uint256[] memory instances = vm.parseJsonUintArray(json, ".instances");
            if (instances.length != ConstantsLib.CREDIT_PROOF_INSTANCES) {
                vm.skip(true, string.concat("old-format fixture (", vm.toString(instances.length), " instances)"));
                return;
            }
            address realVerifier = deployCode(_singleWalletVerifier(manifest));
            vm.startPrank(GOVERNANCE);
            registry.registerModel(
                modelId,
                uint8(vm.parseJsonUint(manifest, ".tierCount")),
                uint8(vm.parseJsonUint(manifest, ".outputScale")),
                LIFETIME
            );
            registry.registerCircuit(modelId, ConstantsLib.SINGLE_WALLET_SLOTS, realVerifier);
            vm.stopPrank();
            _postCommitment(BORROWER, instances[0]);
            registry.attest(BORROWER, modelId, vm.parseJsonBytes(json, ".proof"), instances);
            realProof = true;
            return;
        }
        revert("no tier-0 fixture");
    }

    /// @dev The manifest's single-wallet verifier contract: the `circuits` entry with 1 slot, else the top-level
    /// `verifierContract` (manifests from before rounds).
    function _singleWalletVerifier(string memory manifest) internal view returns (string memory) {
        for (uint256 i; vm.keyExistsJson(manifest, string.concat(".circuits[", vm.toString(i), "]")); ++i) {
            string memory path = string.concat(".circuits[", vm.toString(i), "]");
            if (vm.parseJsonUint(manifest, string.concat(path, ".slots")) == ConstantsLib.SINGLE_WALLET_SLOTS) {
                string memory name = vm.parseJsonString(manifest, string.concat(path, ".verifierContract"));
                return string.concat(name, ".sol:", name);
            }
        }
        string memory fallbackName = vm.parseJsonString(manifest, ".verifierContract");
        return string.concat(fallbackName, ".sol:", fallbackName);
    }

    function testEndToEnd() public {
        _attestLowRisk();
        assertTrue(realProof, "expected a real proof");
        (uint8 tier,, bool verified) = registry.tierOf(BORROWER);
        assertTrue(verified);
        assertEq(tier, 0);

        // 1. Low-risk wallet borrows at 85% LTV.
        _supplyCollateral(BORROWER, COLLATERAL);
        uint256 borrowed = _maxBorrow(COLLATERAL, LOW_MAX_LTV);
        assertEq(borrowed, 17_000e18);
        vm.prank(BORROWER);
        lending.borrow(borrowed, BORROWER);
        assertEq(_bucketOf(BORROWER), ConstantsLib.BUCKET_LOW);
        assertEq(lending.borrowRate(ConstantsLib.BUCKET_LOW), LOW_APR / ConstantsLib.SECONDS_PER_YEAR);

        // 2. Unverified wallet is refused above 60%.
        _supplyCollateral(UNVERIFIED, COLLATERAL);
        uint256 unverifiedMax = _maxBorrow(COLLATERAL, HIGH_MAX_LTV);
        assertEq(unverifiedMax, 12_000e18);
        vm.expectRevert(ErrorsLib.MaxLtvExceeded.selector);
        vm.prank(UNVERIFIED);
        lending.borrow(unverifiedMax + 1, UNVERIFIED);
        vm.prank(UNVERIFIED);
        lending.borrow(unverifiedMax, UNVERIFIED);
        assertEq(_bucketOf(UNVERIFIED), ConstantsLib.BUCKET_UNVERIFIED);

        // 3. Accrues at 8% (one month, within the attestation's lifetime; utilization far below the kink).
        _skip(30 days);
        lending.accrueInterest();
        uint256 expected =
            borrowed + borrowed.wMulDown(MathLib.wCompoundedDown(LOW_APR / ConstantsLib.SECONDS_PER_YEAR, 30 days));
        assertGe(lending.debtOf(BORROWER), expected); // debt rounds up
        assertApproxEqAbs(lending.debtOf(BORROWER), expected, 1);
        assertApproxEqRel(expected - borrowed, borrowed * 8 / 100 * 30 / 365, 0.01e18);

        // 4. Price drop: 17,112 debt vs 10 * 1,850 * 90% = 16,650: liquidatable.
        _setAnswer(1850e8);
        assertFalse(lending.isHealthy(BORROWER));
        loanToken.mint(LIQUIDATOR, 100_000e18);
        uint256 seized = 1e18;
        vm.prank(LIQUIDATOR);
        (, uint256 repaid) = lending.liquidate(BORROWER, seized, 0);

        // LIF for LLTV 90%: 1 / (0.3 * 0.9 + 0.7) = 1.0309...; the liquidator pays 1,850 / LIF for 1,850 of collateral.
        uint256 lif = MathLib.wDivDown(1e18, 0.97e18);
        assertApproxEqAbs(repaid, uint256(1850e18).wDivUp(lif), 1);
        uint256 bonus = uint256(1850e18) - repaid;
        assertApproxEqRel(bonus, 1850e18 - 1850e18 * 97 / 100, 0.001e18);
        assertEq(collateralToken.balanceOf(LIQUIDATOR), seized);
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
    }
}
