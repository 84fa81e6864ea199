// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";

/// @title MockAggregator
/// @notice An owner-controlled AggregatorV3 for local chains and tests. NOT for production.
contract MockAggregator is IAggregatorV3, Ownable {
    /// @inheritdoc IAggregatorV3
    uint8 public immutable decimals;

    /// @notice The latest round id.
    uint80 public roundId;
    /// @notice The latest answer.
    int256 public answer;
    /// @notice When the latest round was updated.
    uint256 public updatedAt;
    /// @notice The round in which the latest answer was computed.
    uint80 public answeredInRound;

    /// @notice Emitted when the owner sets a round.
    event RoundSet(uint80 roundId, int256 answer, uint256 updatedAt, uint80 answeredInRound);

    constructor(address owner_, uint8 decimals_, int256 answer_) Ownable(owner_) {
        decimals = decimals_;
        _setRound(1, answer_, block.timestamp, 1);
    }

    /// @notice Starts a new complete round with `answer_`, updated now.
    function setAnswer(int256 answer_) external onlyOwner {
        _setRound(roundId + 1, answer_, block.timestamp, roundId + 1);
    }

    /// @notice Sets the latest round's update time.
    function setUpdatedAt(uint256 updatedAt_) external onlyOwner {
        _setRound(roundId, answer, updatedAt_, answeredInRound);
    }

    /// @notice Sets every field of the latest round.
    function setRound(uint80 roundId_, int256 answer_, uint256 updatedAt_, uint80 answeredInRound_) external onlyOwner {
        _setRound(roundId_, answer_, updatedAt_, answeredInRound_);
    }

    /// @inheritdoc IAggregatorV3
    function description() external pure returns (string memory) {
        return "zkrisk mock aggregator";
    }

    /// @inheritdoc IAggregatorV3
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, updatedAt, updatedAt, answeredInRound);
    }

    function _setRound(uint80 roundId_, int256 answer_, uint256 updatedAt_, uint80 answeredInRound_) internal {
        roundId = roundId_;
        answer = answer_;
        updatedAt = updatedAt_;
        answeredInRound = answeredInRound_;
        emit RoundSet(roundId_, answer_, updatedAt_, answeredInRound_);
    }
}
