// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IOracle
/// @notice The price source of a zkrisk lending market.
interface IOracle {
    /// @notice The price of 1 base unit of collateral token, quoted in base units of loan token, scaled by 1e36.
    /// @dev It corresponds to the price of 10**(collateral decimals) assets of collateral token quoted in
    /// 10**(loan decimals) assets of loan token, with 36 + loan decimals - collateral decimals decimals of precision.
    /// Must revert rather than return a stale or non-positive price.
    function price() external view returns (uint256);
}
