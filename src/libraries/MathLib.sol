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

    /// @dev Returns the larger of x and y.
    function max(uint256 x, uint256 y) internal pure returns (uint256) {
        return x > y ? x : y;
    }

    /// @dev Returns e^(x * n) - 1 (WAD), rounded down, for a per-second rate x (WAD) compounded continuously over n
    /// seconds: `wExpMinusOneDown(x * n)`.
    function wCompoundedDown(uint256 x, uint256 n) internal pure returns (uint256) {
        return wExpMinusOneDown(x * n);
    }

    /// @dev Returns e^y - 1 (WAD) for an exponent y (WAD), rounded down, with y capped at MAX_COMPOUNDING_EXPONENT.
    /// The exponent is halved k times until it is at most TAYLOR_MAX_EXPONENT (k = 0 for any accrual shorter than
    /// 3.8 days at 600% a year), e^(y / 2^k) is approximated by 1 and the first three terms of its Taylor series,
    /// and the result is squared k times.
    /// @dev Error (measured over y in (0, 10], test/core/Interest.t.sol): always below e^y - 1, by at most 7.8e-5 of
    /// it (at y = 8); by at most (y^3 / 24) of it for y <= 1/16, where no squaring happens. At the largest rate the
    /// parameters allow (600% a year) that is 1.3e-11 of the interest over an hour, 1.8e-7 over a day, 8.0e-6 over a
    /// week, 1.2e-5 over 30 days and 2.5e-5 over a year. Without the halving, three Taylor terms alone would have
    /// charged 0.4% too little interest over 30 days and 85% too little over a year at that rate.
    function wExpMinusOneDown(uint256 y) internal pure returns (uint256) {
        if (y > ConstantsLib.MAX_COMPOUNDING_EXPONENT) y = ConstantsLib.MAX_COMPOUNDING_EXPONENT;
        uint256 halvings;
        while (y >> halvings > ConstantsLib.TAYLOR_MAX_EXPONENT) {
            ++halvings;
        }
        uint256 firstTerm = y >> halvings;
        uint256 secondTerm = mulDivDown(firstTerm, firstTerm, 2 * ConstantsLib.WAD);
        uint256 thirdTerm = mulDivDown(secondTerm, firstTerm, 3 * ConstantsLib.WAD);
        uint256 factor = ConstantsLib.WAD + firstTerm + secondTerm + thirdTerm;
        for (uint256 i; i < halvings; ++i) {
            factor = wMulDown(factor, factor);
        }
        return factor - ConstantsLib.WAD;
    }
}
