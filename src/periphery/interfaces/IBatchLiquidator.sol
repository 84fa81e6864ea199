// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IZkRiskLending} from "../../interfaces/IZkRiskLending.sol";

/// @notice One liquidation of a batch, with the meaning of `IZkRiskLending.liquidate`'s arguments: exactly one of
/// `seizedAssets` (collateral to seize) or `repaidShares` (borrow shares to repay) is non-zero.
struct Order {
    address borrower;
    uint256 seizedAssets;
    uint256 repaidShares;
}

/// @title IBatchLiquidator
/// @notice Liquidates many positions of one zkrisk market in one transaction, so that a keeper's throughput does not
/// depend on sending one transaction per position.
/// @dev Stateless: no owner, no configuration, and it holds no tokens between calls. Each call pulls the loan tokens
/// it may spend from the caller and hands back, in the same call, every seized collateral token and every unused
/// loan token; the market's allowance is back at 0 when the call returns. The market's `Liquidate` events name this
/// contract as the liquidator (`caller`); `BatchLiquidated` names the account that called the batch.
/// @dev An order that cannot be liquidated (the borrower is healthy, was liquidated earlier in the batch, the amounts
/// exceed its debt or collateral, or the loan tokens left do not cover it) is skipped with `OrderSkipped` and the
/// batch goes on: a keeper plans on a snapshot, and one stale order must not cost the others.
/// @dev Warning: the caller chooses the market and approves this contract for the loan token the market names; a
/// market that is not a genuine zkrisk market can take whatever it is allowed to take. Pass only markets you trust.
interface IBatchLiquidator {
    /* EVENTS */

    /// @notice Emitted for each order the batch skipped because `market.liquidate` reverted.
    /// @param market The market.
    /// @param borrower The order's borrower.
    /// @param selector The first four bytes of the revert data (the custom error's selector, e.g.
    /// `HealthyPosition`, `RepayExceedsDebt`, or the loan token's insufficient-balance error when the loan tokens left
    /// do not cover the order); zero when the revert carried no data.
    event OrderSkipped(address indexed market, address indexed borrower, bytes4 selector);

    /// @notice Emitted once per batch.
    /// @param caller The account that called the batch and received the collateral.
    /// @param market The market.
    /// @param liquidated The number of orders liquidated.
    /// @param skipped The number of orders skipped.
    /// @param repaidAssets The loan tokens the market took, summed over the liquidated orders.
    /// @param seizedAssets The collateral the market sent, summed over the liquidated orders.
    event BatchLiquidated(
        address indexed caller,
        address indexed market,
        uint256 liquidated,
        uint256 skipped,
        uint256 repaidAssets,
        uint256 seizedAssets
    );

    /* ERRORS */

    /// @notice Thrown when a batch has no orders: send at least one.
    error EmptyBatch();
    /// @notice Thrown when `market` holds no code on this chain: pass the market's address (deployments/<chainId>.json
    /// `lending`).
    error MarketHasNoCode(address market);
    /// @notice Thrown when the order at `index` ran out of gas: raise the transaction's gas limit. Skipping it instead
    /// would let a gas estimate settle on a limit at which the last orders silently fail.
    error OrderOutOfGas(uint256 index);

    /* LIQUIDATION */

    /// @notice Liquidates `orders` on `market`, in the given order. Pulls `maxRepaidAssets` loan tokens from the
    /// caller (approve this contract first), approves them to the market, and calls `market.liquidate` for each
    /// order; an order whose liquidation reverts, including one that would need more loan tokens than are left, is
    /// skipped (`OrderSkipped`). Then sends the caller all the collateral seized and every loan token not used, and
    /// resets the market's allowance to 0.
    /// @dev Reverts only on an empty batch, a market without code, an order that ran out of gas, or a failed token
    /// transfer or approval.
    /// @param market The zkrisk lending market.
    /// @param orders The liquidations, most urgent first (later orders are the ones skipped when the tokens run out).
    /// @param maxRepaidAssets The most loan token the batch may spend, pulled from the caller up front.
    /// @return repaidAssets The loan tokens the market took.
    /// @return seizedAssets The collateral the market sent (all of it forwarded to the caller).
    /// @return liquidated The number of orders liquidated.
    function liquidateBatch(IZkRiskLending market, Order[] calldata orders, uint256 maxRepaidAssets)
        external
        returns (uint256 repaidAssets, uint256 seizedAssets, uint256 liquidated);
}
