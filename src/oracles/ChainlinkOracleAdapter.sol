// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";
import {IOracle} from "../interfaces/IOracle.sol";

import {ConstantsLib} from "../libraries/ConstantsLib.sol";
import {ErrorsLib} from "../libraries/ErrorsLib.sol";

/// @title ChainlinkOracleAdapter
/// @notice Prices a collateral token in a loan token from a Chainlink-style AggregatorV3 feed quoting the collateral
/// in the loan token (e.g. ETH / USD for WETH collateral and a USD stablecoin loan token).
/// @dev Rejects incomplete rounds, rounds older than HEARTBEAT, rounds from the future and non-positive answers.
/// Warning: the adapter assumes the feed quotes exactly the loan token (no depeg of e.g. USDC against USD is
/// accounted for) and has no sequencer-uptime check for L2s.
contract ChainlinkOracleAdapter is IOracle {
    /* IMMUTABLES */

    /// @notice The feed.
    IAggregatorV3 public immutable FEED;

    /// @notice Longest accepted age of the latest round, in seconds.
    uint256 public immutable HEARTBEAT;

    /// @notice Factor turning a feed answer into the price of one collateral base unit in loan base units * 1e36:
    /// 10**(36 + loan decimals - collateral decimals - feed decimals).
    uint256 public immutable SCALE_FACTOR;

    /* CONSTRUCTOR */

    /// @param feed The AggregatorV3 feed quoting collateral in loan token.
    /// @param heartbeat Longest accepted round age, in (0, MAX_HEARTBEAT].
    /// @param collateralToken Its `decimals()` is read once.
    /// @param loanToken Its `decimals()` is read once.
    constructor(IAggregatorV3 feed, uint256 heartbeat, address collateralToken, address loanToken) {
        if (address(feed) == address(0) || collateralToken == address(0) || loanToken == address(0)) {
            revert ErrorsLib.ZeroAddress();
        }
        if (heartbeat == 0 || heartbeat > ConstantsLib.MAX_HEARTBEAT) revert ErrorsLib.InvalidHeartbeat();

        uint256 up = 36 + uint256(IERC20Metadata(loanToken).decimals());
        uint256 down = uint256(IERC20Metadata(collateralToken).decimals()) + uint256(feed.decimals());
        if (down > up) revert ErrorsLib.InvalidDecimals();

        FEED = feed;
        HEARTBEAT = heartbeat;
        SCALE_FACTOR = 10 ** (up - down);
    }

    /* PRICE */

    /// @inheritdoc IOracle
    function price() external view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 updatedAt, uint80 answeredInRound) = FEED.latestRoundData();
        if (updatedAt == 0 || answeredInRound < roundId) revert ErrorsLib.IncompleteRound();
        if (updatedAt > block.timestamp) revert ErrorsLib.FutureTimestamp();
        if (block.timestamp - updatedAt > HEARTBEAT) revert ErrorsLib.StalePrice();
        if (answer <= 0) revert ErrorsLib.NonPositivePrice();

        // Casting to uint256 is safe: answer > 0.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint256(answer) * SCALE_FACTOR;
    }
}
