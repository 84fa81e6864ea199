// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAggregatorV3
/// @notice The subset of Chainlink's AggregatorV3Interface zkrisk reads.
interface IAggregatorV3 {
    /// @notice Decimals of the answers.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed.
    function description() external view returns (string memory);

    /// @notice The latest round's data.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
