// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";
import {BatchLiquidator} from "../../src/periphery/BatchLiquidator.sol";
import {Order} from "../../src/periphery/interfaces/IBatchLiquidator.sol";
import {IZkRiskLending} from "../../src/interfaces/IZkRiskLending.sol";

/// @notice Fuzz tests of the batch liquidator's funds accounting against the real market: random positions (tiers,
/// sizes), a random price fall, random orders (seize- or repay-based, repeated borrowers, healthy borrowers,
/// oversized amounts) and a random budget.
contract BatchLiquidatorFuzzTest is BaseTest {
    using MathLib for uint256;

    uint256 internal constant MAX_POSITIONS = 6;
    uint256 internal constant MAX_ORDERS = 8;

    BatchLiquidator internal batch;
    IZkRiskLending internal market;
    address[] internal borrowers;

    function setUp() public override {
        super.setUp();
        batch = new BatchLiquidator();
        market = IZkRiskLending(address(lending));
        _supply(SUPPLIER, 1e30);
    }

    /// @dev Opens `count` positions with fuzzed tiers, collateral and loan-to-value (up to each tier's max LTV).
    function _openPositions(uint256 count, uint256 seed) internal {
        for (uint256 i; i < count; ++i) {
            address b = makeAddr(string.concat("borrower-", vm.toString(i)));
            borrowers.push(b);
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Tier 0-2 attested, or 3: no attestation (unverified).
            uint8 tier = uint8(r % 4);
            if (tier < TIER_COUNT) _attest(b, tier);
            uint256 collateral = bound(r >> 8, 1e15, 1e24);
            _supplyCollateral(b, collateral);
            uint256 maxLtv = lending.tierParams(tier < TIER_COUNT ? tier : ConstantsLib.BUCKET_UNVERIFIED).maxLtv;
            uint256 assets = _maxBorrow(collateral, maxLtv).mulDivDown(bound(r >> 128, 5_000, 9_999), 10_000);
            if (assets == 0) continue;
            vm.prank(b);
            lending.borrow(assets, b);
        }
    }

    /// @dev A fuzzed order: a borrower (repeats allowed), seize- or repay-based, from a small part of the position to
    /// more than all of it; now and then an inconsistent one (both amounts or neither).
    function _order(uint256 r) internal view returns (Order memory o) {
        o.borrower = borrowers[r % borrowers.length];
        Position memory p = lending.position(o.borrower);
        uint256 fractionBps = bound(r >> 16, 1, 12_000);
        uint256 mode = (r >> 64) % 10;
        if (mode < 5) o.seizedAssets = p.collateral.mulDivDown(fractionBps, 10_000);
        else if (mode < 9) o.repaidShares = p.borrowShares.mulDivDown(fractionBps, 10_000);
        else o.seizedAssets = o.repaidShares = (r >> 128) % 2; // inconsistent: (0,0) or (1,1)
    }

    function testFuzzBatchAccounting(uint256 seed, uint256 positions, uint256 orderCount, uint256 fallBps, uint256 budget)
        public
    {
        positions = bound(positions, 1, MAX_POSITIONS);
        orderCount = bound(orderCount, 1, MAX_ORDERS);
        _openPositions(positions, seed);
        // A fall of 0-60%: from nobody to everybody liquidatable, bad debt included.
        fallBps = bound(fallBps, 0, 6_000);
        _setAnswer(INITIAL_ANSWER * int256(10_000 - fallBps) / 10_000);

        Order[] memory orders = new Order[](orderCount);
        for (uint256 i; i < orderCount; ++i) {
            orders[i] = _order(uint256(keccak256(abi.encode(seed, "order", i))));
        }
        budget = bound(budget, 0, lending.totalBorrowAssets() * 11 / 10);
        loanToken.mint(LIQUIDATOR, budget + 1e18); // holds more than the budget: only the budget may be spent
        uint256 loanBefore = loanToken.balanceOf(LIQUIDATOR);

        // The same orders sent one by one by a liquidator holding exactly the budget: what the batch must match.
        uint256 snapshot = vm.snapshotState();
        (uint256 expectRepaid, uint256 expectSeized, uint256 expectLiquidated) = _oneByOne(orders, budget);
        vm.revertToState(snapshot);

        uint256 marketLoanBefore = loanToken.balanceOf(address(lending));
        uint256 marketCollateralBefore = collateralToken.balanceOf(address(lending));
        vm.startPrank(LIQUIDATOR);
        loanToken.approve(address(batch), budget);
        (uint256 repaid, uint256 seized, uint256 liquidated) = batch.liquidateBatch(market, orders, budget);
        vm.stopPrank();

        assertEq(liquidated, expectLiquidated, "liquidated");
        assertEq(repaid, expectRepaid, "repaid");
        assertEq(seized, expectSeized, "seized");
        assertLe(repaid, budget, "spent over the budget");
        // The caller: its loan tokens minus what the market pulled, plus all seized collateral.
        uint256 pulled = loanToken.balanceOf(address(lending)) - marketLoanBefore;
        assertEq(pulled, repaid, "market pulled");
        assertEq(loanToken.balanceOf(LIQUIDATOR), loanBefore - pulled, "caller's loan token");
        assertEq(collateralToken.balanceOf(LIQUIDATOR), marketCollateralBefore - collateralToken.balanceOf(address(lending)));
        assertEq(collateralToken.balanceOf(LIQUIDATOR), seized, "caller's collateral");
        // The liquidator: nothing held, nothing approved.
        assertEq(loanToken.balanceOf(address(batch)), 0);
        assertEq(collateralToken.balanceOf(address(batch)), 0);
        assertEq(loanToken.allowance(address(batch), address(lending)), 0);
        assertEq(loanToken.allowance(LIQUIDATOR, address(batch)), 0, "exact approval used up");
        assertEq(lending.totalBorrowAssets(), _sumBucketAssets());
    }

    /// @dev Each order through `liquidate` directly, from an account funded with exactly `budget`; a reverting order
    /// is skipped.
    function _oneByOne(Order[] memory orders, uint256 budget)
        internal
        returns (uint256 repaid, uint256 seized, uint256 liquidated)
    {
        address solo = makeAddr("solo");
        loanToken.mint(solo, budget);
        vm.startPrank(solo);
        loanToken.approve(address(lending), type(uint256).max);
        for (uint256 i; i < orders.length; ++i) {
            try lending.liquidate(orders[i].borrower, orders[i].seizedAssets, orders[i].repaidShares) returns (
                uint256 s, uint256 r
            ) {
                seized += s;
                repaid += r;
                ++liquidated;
            } catch {}
        }
        vm.stopPrank();
    }

    /// @dev Many batches in a row on the same positions (the price falling between them) leave the liquidator empty
    /// after every call.
    function testFuzzRepeatedBatchesLeaveNothingBehind(uint256 seed, uint256 rounds) public {
        _openPositions(MAX_POSITIONS, seed);
        rounds = bound(rounds, 1, 5);
        loanToken.mint(LIQUIDATOR, 1e30);
        vm.prank(LIQUIDATOR);
        loanToken.approve(address(batch), type(uint256).max);
        int256 answer = INITIAL_ANSWER;
        for (uint256 k; k < rounds; ++k) {
            answer = answer * 85 / 100;
            _setAnswer(answer);
            Order[] memory orders = new Order[](MAX_ORDERS);
            for (uint256 i; i < MAX_ORDERS; ++i) {
                orders[i] = _order(uint256(keccak256(abi.encode(seed, k, i))));
            }
            uint256 loanBefore = loanToken.balanceOf(LIQUIDATOR);
            uint256 collateralBefore = collateralToken.balanceOf(LIQUIDATOR);
            vm.prank(LIQUIDATOR);
            (uint256 repaid, uint256 seized,) = batch.liquidateBatch(market, orders, 1e29);
            assertEq(loanToken.balanceOf(LIQUIDATOR), loanBefore - repaid);
            assertEq(collateralToken.balanceOf(LIQUIDATOR), collateralBefore + seized);
            assertEq(loanToken.balanceOf(address(batch)), 0);
            assertEq(collateralToken.balanceOf(address(batch)), 0);
            assertEq(loanToken.allowance(address(batch), address(lending)), 0);
        }
    }
}
