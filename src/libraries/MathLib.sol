// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ConstantsLib} from "./ConstantsLib.sol";

/// @title MathLib
/// @notice Fixed-point helpers whose names say which way they round.
library MathLib {
    /// @dev Returns (x * y) / WAD rounded down.
    function wMulDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, ConstantsLib.WAD);
    }

    /// @dev Returns (x * y) / WAD rounded up.
    function wMulUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, ConstantsLib.WAD);
    }

    /// @dev Returns (x * WAD) / y rounded down.
    function wDivDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, ConstantsLib.WAD, y);
    }

    /// @dev Returns (x * WAD) / y rounded up.
    function wDivUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, ConstantsLib.WAD, y);
    }

    /// @dev Returns (x * y) / d rounded down.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y) / d;
    }

    /// @dev Returns (x * y) / d rounded up.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + (d - 1)) / d;
    }

    /// @dev Returns max(x - y, 0).
    function zeroFloorSub(uint256 x, uint256 y) internal pure returns (uint256) {
        return x > y ? x - y : 0;
    }

    /// @dev Returns the smaller of x and y.
    function min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }

    /// @dev Returns e^(x * n) - 1 (WAD), approximated by the first three non-zero terms of its Taylor expansion,
    /// for a per-second rate x (WAD) compounded continuously over n seconds. Rounds down: it slightly
    /// underestimates continuous compounding (by about (x*n)^4 / 24).
    function wTaylorCompoundedDown(uint256 x, uint256 n) internal pure returns (uint256) {
        uint256 firstTerm = x * n;
        uint256 secondTerm = mulDivDown(firstTerm, firstTerm, 2 * ConstantsLib.WAD);
        uint256 thirdTerm = mulDivDown(secondTerm, firstTerm, 3 * ConstantsLib.WAD);
        return firstTerm + secondTerm + thirdTerm;
    }
}
