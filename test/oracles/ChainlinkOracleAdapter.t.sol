// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import "../BaseTest.sol";

contract ChainlinkOracleAdapterTest is BaseTest {
    function testScalesWithDecimals() public view {
        // 18-decimal collateral, 18-decimal loan, 8-decimal feed: 2000e8 -> 2000 * 1e36.
        assertEq(oracle.SCALE_FACTOR(), 1e28);
        assertEq(oracle.price(), 2000e36);
        assertEq(oracle.HEARTBEAT(), HEARTBEAT);
        assertEq(address(oracle.FEED()), address(feed));
    }

    function testScalesWithMixedDecimals() public {
        // WETH-like (18) collateral, USDC-like (6) loan: 1 wei of collateral is worth 2000e6 / 1e18 loan units.
        MockERC20 usdc = new MockERC20("USDC", "USDC", 6);
        ChainlinkOracleAdapter adapter = new ChainlinkOracleAdapter(
            IAggregatorV3(address(feed)), HEARTBEAT, address(collateralToken), address(usdc)
        );
        assertEq(adapter.price(), 2000e8 * 10 ** (36 + 6 - 18 - 8));
        // 1 full collateral token is worth 2000 full loan tokens.
        assertEq(MathLib.mulDivDown(1e18, adapter.price(), ConstantsLib.ORACLE_PRICE_SCALE), 2000e6);
    }

    function testConstructorZeroAddresses() public {
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        new ChainlinkOracleAdapter(IAggregatorV3(address(0)), HEARTBEAT, address(collateralToken), address(loanToken));
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        new ChainlinkOracleAdapter(IAggregatorV3(address(feed)), HEARTBEAT, address(0), address(loanToken));
        vm.expectRevert(ErrorsLib.ZeroAddress.selector);
        new ChainlinkOracleAdapter(IAggregatorV3(address(feed)), HEARTBEAT, address(collateralToken), address(0));
    }

    function testConstructorInvalidHeartbeat() public {
        vm.expectRevert(ErrorsLib.InvalidHeartbeat.selector);
        new ChainlinkOracleAdapter(IAggregatorV3(address(feed)), 0, address(collateralToken), address(loanToken));
        vm.expectRevert(ErrorsLib.InvalidHeartbeat.selector);
        new ChainlinkOracleAdapter(
            IAggregatorV3(address(feed)), ConstantsLib.MAX_HEARTBEAT + 1, address(collateralToken), address(loanToken)
        );
    }

    function testConstructorInvalidDecimals() public {
        MockERC20 weird = new MockERC20("W", "W", 77);
        vm.expectRevert(ErrorsLib.InvalidDecimals.selector);
        new ChainlinkOracleAdapter(IAggregatorV3(address(feed)), HEARTBEAT, address(weird), address(loanToken));
    }

    function testStalePrice() public {
        vm.warp(block.timestamp + HEARTBEAT);
        oracle.price();
        vm.warp(block.timestamp + 1);
        vm.expectRevert(ErrorsLib.StalePrice.selector);
        oracle.price();
    }

    function testNonPositivePrice(int256 answer) public {
        answer = bound(answer, type(int256).min, 0);
        feed.setAnswer(answer);
        vm.expectRevert(ErrorsLib.NonPositivePrice.selector);
        oracle.price();
    }

    function testIncompleteRoundZeroUpdatedAt() public {
        feed.setUpdatedAt(0);
        vm.expectRevert(ErrorsLib.IncompleteRound.selector);
        oracle.price();
    }

    function testIncompleteRoundAnsweredEarlier() public {
        feed.setRound(5, 2000e8, block.timestamp, 4);
        vm.expectRevert(ErrorsLib.IncompleteRound.selector);
        oracle.price();
    }

    function testFutureTimestamp() public {
        feed.setUpdatedAt(block.timestamp + 1);
        vm.expectRevert(ErrorsLib.FutureTimestamp.selector);
        oracle.price();
    }

    function testPriceFollowsAnswer(uint256 answer) public {
        answer = bound(answer, 1, 1e30);
        feed.setAnswer(int256(answer));
        assertEq(oracle.price(), answer * 1e28);
    }

    /* MOCK AGGREGATOR */

    function testMockAggregatorOwnerOnly() public {
        vm.prank(BORROWER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, BORROWER));
        feed.setAnswer(1);
    }

    function testMockAggregatorRounds() public {
        feed.setAnswer(1234);
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = feed.latestRoundData();
        assertEq(roundId, 2);
        assertEq(answer, 1234);
        assertEq(updatedAt, block.timestamp);
        assertEq(answeredInRound, 2);
        assertEq(feed.decimals(), FEED_DECIMALS);
        assertEq(feed.description(), "zkrisk mock aggregator");
    }
}
