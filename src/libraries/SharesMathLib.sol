// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MathLib} from "./MathLib.sol";

/// @title SharesMathLib
/// @notice Share/asset conversions with virtual shares and assets.
/// @dev The virtual 1e6 shares and 1 asset make the first-depositor share inflation attack unprofitable:
/// the attacker would have to donate about 1e6 times the amount it hopes to steal.
library SharesMathLib {
    using MathLib for uint256;

    /// @dev Virtual shares added to every share total.
    uint256 internal constant VIRTUAL_SHARES = 1e6;

    /// @dev Virtual assets added to every asset total.
    uint256 internal constant VIRTUAL_ASSETS = 1;

    /// @dev Converts assets to shares, rounding down.
    function toSharesDown(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return assets.mulDivDown(totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    /// @dev Converts shares to assets, rounding down.
    function toAssetsDown(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return shares.mulDivDown(totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }

    /// @dev Converts assets to shares, rounding up.
    function toSharesUp(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return assets.mulDivUp(totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    /// @dev Converts shares to assets, rounding up.
    function toAssetsUp(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return shares.mulDivUp(totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }
}
