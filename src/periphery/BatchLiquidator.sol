// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IZkRiskLending} from "../interfaces/IZkRiskLending.sol";
import {IBatchLiquidator, Order} from "./interfaces/IBatchLiquidator.sol";

/// @title BatchLiquidator
/// @notice Liquidates many positions of a zkrisk market in one transaction (see IBatchLiquidator).
contract BatchLiquidator is IBatchLiquidator, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev An inner call that returns with less than this fraction of the gas it started with ran out of gas: the
    /// EVM keeps 1/64 of the available gas back from a call (EIP-150).
    uint256 internal constant OUT_OF_GAS_DIVISOR = 64;

    /// @inheritdoc IBatchLiquidator
    function liquidateBatch(IZkRiskLending market, Order[] calldata orders, uint256 maxRepaidAssets)
        external
        nonReentrant
        returns (uint256 repaidAssets, uint256 seizedAssets, uint256 liquidated)
    {
        if (orders.length == 0) revert EmptyBatch();
        if (address(market).code.length == 0) revert MarketHasNoCode(address(market));

        IERC20 loanToken = IERC20(market.LOAN_TOKEN());
        IERC20 collateralToken = IERC20(market.COLLATERAL_TOKEN());

        loanToken.safeTransferFrom(msg.sender, address(this), maxRepaidAssets);
        // The allowance caps what the market can take at what the caller allowed: an order that needs more than is
        // left fails inside `liquidate` (the loan token transfer is its last step) and is skipped like any other.
        loanToken.forceApprove(address(market), maxRepaidAssets);

        for (uint256 i; i < orders.length; ++i) {
            Order calldata order = orders[i];
            uint256 gasBefore = gasleft();
            try market.liquidate(order.borrower, order.seizedAssets, order.repaidShares) returns (
                uint256 seized, uint256 repaid
            ) {
                seizedAssets += seized;
                repaidAssets += repaid;
                ++liquidated;
            } catch (bytes memory reason) {
                if (gasleft() < gasBefore / OUT_OF_GAS_DIVISOR) revert OrderOutOfGas(i);
                emit OrderSkipped(address(market), order.borrower, reason.length >= 4 ? bytes4(reason) : bytes4(0));
            }
        }

        loanToken.forceApprove(address(market), 0);

        emit BatchLiquidated(msg.sender, address(market), liquidated, orders.length - liquidated, repaidAssets, seizedAssets);

        // Everything this contract holds goes back to the caller: it keeps nothing between calls.
        uint256 loanLeft = loanToken.balanceOf(address(this));
        if (loanLeft > 0) loanToken.safeTransfer(msg.sender, loanLeft);
        uint256 collateral = collateralToken.balanceOf(address(this));
        if (collateral > 0) collateralToken.safeTransfer(msg.sender, collateral);
    }
}
