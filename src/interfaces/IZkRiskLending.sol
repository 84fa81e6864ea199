// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Risk parameters of a debt bucket.
/// @param apr Base borrow rate, nominal per year (WAD), before the utilization premium.
/// @param maxLtv Largest loan-to-value a borrow or a collateral withdrawal may leave (WAD).
/// @param lltv Liquidation loan-to-value (WAD).
struct TierParams {
    uint256 apr;
    uint256 maxLtv;
    uint256 lltv;
}

/// @notice Immutable configuration of a market.
/// @param loanToken The token lent and borrowed.
/// @param collateralToken The token posted as collateral.
/// @param oracle Prices collateral in loan token (see IOracle).
/// @param creditOracle Source of borrowers' credit tiers (the AttestationRegistry).
/// @param kinkUtilization Utilization above which every bucket's rate rises by the same premium (WAD).
/// @param jumpApr Premium reached at 100% utilization, linear from the kink (WAD, per year).
struct MarketConfig {
    address loanToken;
    address collateralToken;
    address oracle;
    address creditOracle;
    uint256 kinkUtilization;
    uint256 jumpApr;
}

/// @notice A debt bucket: the debt of every borrower currently in one tier.
struct Bucket {
    uint256 borrowAssets;
    uint256 borrowShares;
}

/// @notice An account's position.
/// @param supplyShares Supply shares of loan token.
/// @param borrowShares Borrow shares, in the bucket `bucket`.
/// @param collateral Collateral assets.
/// @param bucket The debt bucket the borrow shares belong to (as of the last sync).
/// @param rampStart When the downgrade ramp's current segment starts (0 when there is no ramp).
/// @param rampEnd When the downgrade ramp ends (0 when there is no ramp).
/// @param rampFromLltv The liquidation LTV at rampStart (WAD); it falls linearly to the bucket's at rampEnd.
/// @param round The round of the wallet's latest attestation at the last sync (0 if none).
/// @param syncedAt When the position was last synced.
/// @dev The timestamps are uint40 (enough until the year 36812) so that the tier fields share one storage slot.
struct Position {
    uint256 supplyShares;
    uint256 borrowShares;
    uint256 collateral;
    uint8 bucket;
    uint40 rampStart;
    uint40 rampEnd;
    uint64 rampFromLltv;
    uint64 round;
    uint40 syncedAt;
}

/// @title IZkRiskLending
/// @notice An isolated lending market (one loan token, one collateral token) that prices and caps each borrower's
/// debt by its zero-knowledge-proven credit tier.
/// @dev Buckets: 0 LOW, 1 MEDIUM, 2 HIGH (the registry tiers) and 3 UNVERIFIED (no valid attestation). Each
/// borrower's debt sits, as shares, in the bucket of its tier; each bucket accrues at its own rate:
/// `apr + premium(utilization)` where the premium, shared by all buckets, is 0 up to the kink and rises linearly to
/// `jumpApr` at 100% utilization. Interest compounds continuously, computed at each accrual by
/// `MathLib.wExpMinusOneDown`: below continuous compounding by at most 7.8e-5 of the interest for any idle gap, at
/// every rate the parameters allow (600% a year at most: 1.8e-7 of a day's interest, 2.5e-5 of a year's). One
/// accrual compounds at most e^MAX_COMPOUNDING_EXPONENT (608 idle days at 600%); any call accrues.
/// There is no protocol fee: all interest goes to suppliers.
/// @dev Tier changes take effect when they happen, not when somebody calls. The credit oracle dates each change of
/// a wallet's credit (`ICreditOracle.creditPeriodOf`: when its attestation was made, when it stopped counting by
/// expiry, superseded commitment or retired model, and when the one before it stopped counting); a position's
/// terms are its stored terms with every change since its last sync applied at its date, in order:
/// - an upgrade (a bucket whose liquidation LTV is not below the effective one at that moment) applies at once;
/// - a downgrade lowers the effective liquidation LTV linearly from the value it had at that moment to the new
///   bucket's, over DOWNGRADE_RAMP, so nobody is liquidated the instant a credential lapses; a further downgrade
///   during a ramp continues it from its current value toward the new bucket's but never past its end, so a ramp
///   always ends DOWNGRADE_RAMP after the downgrade that started it;
/// - the new bucket's base rate applies from the change: a sync adds the interest the position owes for the time
///   it spent in costlier buckets than its stored one, net of the time in cheaper ones and never negative (nothing
///   is refunded: an upgraded borrower should sync). The utilization premium is the same in every bucket.
/// `isHealthy`, `liquidationLtvOf` and `debtOf` show these terms without a sync, and `liquidate` judges by them, so a
/// failed liquidation (which rolls its sync back) cannot delay a downgrade. `syncTier` (permissionless: keepers)
/// writes them, moving the debt to the bucket of the current tier; borrowing, collateral withdrawal, repayment and
/// liquidation sync first. Between syncs the stored bucket accrues at its own rate: the catch-up at the next sync
/// completes it (to within the interest approximation), whenever that sync happens.
/// @dev Only the wallet's latest attestation and the end of the one before it are known: when a wallet was
/// re-attested more than once without the position being synced in between, the attestations in between are not
/// seen, and the change from the synced tier is dated from when the attestation before the latest stopped counting
/// (later than it happened). Keepers sync at every change, which keeps this from arising.
/// @dev Pause (PAUSER_ROLE) stops `supply` and `borrow` only. Repay, liquidate, withdraw, supplyCollateral,
/// withdrawCollateral and syncTier are never pausable, so a pause can never trap borrowers into liquidation.
/// @dev Assumptions: the tokens are standard ERC20s without fee on transfer, rebasing or transfer hooks; the oracle
/// reverts rather than returning a stale price; the credit oracle's `tierOf` does not revert.
/// @dev Warning: governance (RISK_MANAGER_ROLE) may change a bucket's rate and max LTV within bounds at any time,
/// but may only raise its liquidation LTV, so a parameter change can never make a healthy position liquidatable.
interface IZkRiskLending {
    /* ROLES */

    /// @notice The role that sets buckets' risk parameters.
    function RISK_MANAGER_ROLE() external view returns (bytes32);

    /// @notice The role that pauses and unpauses supply and borrowing.
    function PAUSER_ROLE() external view returns (bytes32);

    /* IMMUTABLES */

    /// @notice The loan token.
    function LOAN_TOKEN() external view returns (address);

    /// @notice The collateral token.
    function COLLATERAL_TOKEN() external view returns (address);

    /// @notice The price oracle.
    function ORACLE() external view returns (address);

    /// @notice The credit oracle (attestation registry).
    function CREDIT_ORACLE() external view returns (address);

    /// @notice The utilization kink (WAD).
    function KINK_UTILIZATION() external view returns (uint256);

    /// @notice The premium APR at 100% utilization (WAD).
    function JUMP_APR() external view returns (uint256);

    /* GOVERNANCE */

    /// @notice Sets the risk parameters of `bucket`. Accrues interest first.
    /// @dev Requires apr <= MAX_BASE_APR, 0 < maxLtv, maxLtv + MIN_LTV_BUFFER <= lltv <= MAX_LLTV and lltv >= the
    /// bucket's current lltv.
    function setTierParams(uint8 bucket, TierParams calldata params) external;

    /// @notice Pauses (true) or unpauses (false) supply and borrowing.
    function setPaused(bool paused) external;

    /* SUPPLY SIDE */

    /// @notice Supplies `assets` of loan token on behalf of `onBehalf`. Shares are rounded down.
    /// @return shares The supply shares minted.
    function supply(uint256 assets, address onBehalf) external returns (uint256 shares);

    /// @notice Withdraws the caller's loan token: pass exactly one of `assets` (shares burned rounded up) or
    /// `shares` (assets paid rounded down).
    function withdraw(uint256 assets, uint256 shares, address receiver) external returns (uint256, uint256);

    /* COLLATERAL */

    /// @notice Supplies `assets` of collateral on behalf of `onBehalf`. Never pausable.
    function supplyCollateral(uint256 assets, address onBehalf) external;

    /// @notice Withdraws the caller's collateral. Syncs the caller's tier first; the remaining debt must stay within
    /// the max LTV of the caller's current tier.
    function withdrawCollateral(uint256 assets, address receiver) external;

    /* BORROW SIDE */

    /// @notice Borrows `assets` of loan token for the caller, in the bucket of its current tier (synced first).
    /// Shares are rounded up. The debt after the borrow must be within that bucket's max LTV.
    /// @return shares The borrow shares added.
    function borrow(uint256 assets, address receiver) external returns (uint256 shares);

    /// @notice Repays debt of `onBehalf`: pass exactly one of `assets` (shares burned rounded down) or `shares`
    /// (assets paid rounded up; use it to repay in full). Syncs `onBehalf`'s tier first, so the shares are those of
    /// its bucket after the sync (`position` after `syncTier`). Never pausable.
    function repay(uint256 assets, uint256 shares, address onBehalf) external returns (uint256, uint256);

    /// @notice Liquidates an unhealthy position: pass exactly one of `seizedAssets` (collateral to seize) or
    /// `repaidShares` (borrow shares to repay). Syncs the borrower's tier first. The liquidator receives
    /// collateral worth the repaid debt times the liquidation incentive factor
    /// LIF = min(MAX_LIQUIDATION_INCENTIVE_FACTOR, 1 / (LIQUIDATION_CURSOR * lltv + 1 - LIQUIDATION_CURSOR)), lltv
    /// being the borrower's effective liquidation LTV (the tier it holds now, with its downgrade ramp). Bad debt: if
    /// the debt left after the liquidation (rounded up) exceeds the value of the collateral left at the same price
    /// (rounded down), the excess is written off against suppliers in the same call (total supply assets reduced,
    /// `totalBadDebt`, `BadDebt`), so that no position is left with more debt than collateral value once it has been
    /// liquidated; with no collateral left, all the remaining debt is written off. Never pausable.
    /// @return The collateral sent to the caller and the loan token paid by the caller.
    function liquidate(address borrower, uint256 seizedAssets, uint256 repaidShares) external returns (uint256, uint256);

    /* TIERS AND INTEREST */

    /// @notice Accrues interest, then writes `borrower`'s current terms (see the contract-level notes): its debt
    /// moves to the bucket of its current tier with the catch-up interest added, and its downgrade ramp and
    /// attestation round are recorded. Permissionless: keepers call it for passive borrowers whose attestation
    /// stopped counting, so they pay the new tier's rate from then on in the stored state too.
    /// @return bucket The borrower's bucket after the sync.
    function syncTier(address borrower) external returns (uint8 bucket);

    /// @notice Accrues interest on every bucket up to now.
    function accrueInterest() external;

    /* VIEWS */

    /// @notice Whether supply and borrowing are paused.
    function paused() external view returns (bool);

    /// @notice Total supply assets (interest included as of the last accrual, bad debt deducted).
    function totalSupplyAssets() external view returns (uint256);

    /// @notice Total supply shares.
    function totalSupplyShares() external view returns (uint256);

    /// @notice Total borrow assets: always the sum of the buckets' borrow assets.
    function totalBorrowAssets() external view returns (uint256);

    /// @notice Cumulative debt written off as bad debt.
    function totalBadDebt() external view returns (uint256);

    /// @notice Timestamp of the last accrual.
    function lastUpdate() external view returns (uint256);

    /// @notice The debt bucket `bucket` (as of the last accrual).
    function bucket(uint8 bucket) external view returns (Bucket memory);

    /// @notice The risk parameters of `bucket`.
    function tierParams(uint8 bucket) external view returns (TierParams memory);

    /// @notice The position of `account` as stored (as of the last accrual and sync).
    function position(address account) external view returns (Position memory);

    /// @notice The bucket a wallet's debt belongs in now, from the credit oracle.
    function bucketFor(address wallet) external view returns (uint8);

    /// @notice `borrower`'s effective liquidation LTV now: that of its current tier, with the downgrade ramp dated
    /// from the changes of its credit (no sync needed).
    function liquidationLtvOf(address borrower) external view returns (uint256);

    /// @notice `borrower`'s debt as of the last accrual, rounded up, as a sync would leave it (in the bucket of its
    /// current tier, catch-up interest included).
    function debtOf(address borrower) external view returns (uint256);

    /// @notice Whether `borrower` is healthy: `debtOf` at most its collateral value times `liquidationLtvOf`, as of
    /// the last accrual. `liquidate` judges the same way after accruing.
    function isHealthy(address borrower) external view returns (bool);

    /// @notice The per-second borrow rate of `bucket` at the current utilization (WAD).
    function borrowRate(uint8 bucket) external view returns (uint256);
}
