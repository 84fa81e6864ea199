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
/// @param bucket The debt bucket the borrow shares belong to.
/// @param rampStart When the current downgrade ramp started (0 when none).
/// @param rampFromLltv The liquidation LTV the downgrade ramp started from (WAD).
struct Position {
    uint256 supplyShares;
    uint256 borrowShares;
    uint256 collateral;
    uint8 bucket;
    uint64 rampStart;
    uint64 rampFromLltv;
}

/// @title IZkRiskLending
/// @notice An isolated lending market (one loan token, one collateral token) that prices and caps each borrower's
/// debt by its zero-knowledge-proven credit tier.
/// @dev Buckets: 0 LOW, 1 MEDIUM, 2 HIGH (the registry tiers) and 3 UNVERIFIED (no valid attestation). Each
/// borrower's debt sits, as shares, in the bucket of its tier; each bucket accrues at its own rate:
/// `apr + premium(utilization)` where the premium, shared by all buckets, is 0 up to the kink and rises linearly to
/// `jumpApr` at 100% utilization. Interest compounds per second, approximated at each accrual by a three-term
/// Taylor expansion of e^(rate * elapsed) (slightly below continuous compounding over long idle periods).
/// There is no protocol fee: all interest goes to suppliers.
/// @dev Tier changes: `syncTier` moves a borrower's debt to the bucket of its current tier. An upgrade (a bucket
/// whose liquidation LTV is not below the borrower's current effective one) applies at once. A downgrade or an
/// expiry lowers the effective liquidation LTV linearly over DOWNGRADE_RAMP from the value it had to the new
/// bucket's, so nobody is liquidated the instant a credential lapses. The ramp starts at the sync, not at the
/// expiry: anyone (keepers, liquidators) may call `syncTier` at any time. Borrowing, collateral withdrawal and
/// liquidation sync first; repayment does not need to.
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
    /// (assets paid rounded up; use it to repay in full). Never pausable.
    function repay(uint256 assets, uint256 shares, address onBehalf) external returns (uint256, uint256);

    /// @notice Liquidates an unhealthy position: pass exactly one of `seizedAssets` (collateral to seize) or
    /// `repaidShares` (borrow shares to repay). Syncs the borrower's tier first. The liquidator receives
    /// collateral worth the repaid debt times the liquidation incentive factor
    /// LIF = min(MAX_LIQUIDATION_INCENTIVE_FACTOR, 1 / (LIQUIDATION_CURSOR * lltv + 1 - LIQUIDATION_CURSOR)), lltv
    /// being the borrower's effective liquidation LTV. If no collateral is left, the remaining debt is bad debt:
    /// written off against suppliers (total supply assets reduced), counted in `totalBadDebt` and evented.
    /// Never pausable.
    /// @return The collateral sent to the caller and the loan token paid by the caller.
    function liquidate(address borrower, uint256 seizedAssets, uint256 repaidShares) external returns (uint256, uint256);

    /* TIERS AND INTEREST */

    /// @notice Accrues interest, then moves `borrower`'s debt to the bucket of its current tier. Permissionless.
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

    /// @notice The position of `account` (as of the last accrual and sync).
    function position(address account) external view returns (Position memory);

    /// @notice The bucket a wallet's debt belongs in now, from the credit oracle.
    function bucketFor(address wallet) external view returns (uint8);

    /// @notice `borrower`'s effective liquidation LTV now (downgrade ramp included), for its stored bucket.
    function liquidationLtvOf(address borrower) external view returns (uint256);

    /// @notice `borrower`'s debt as of the last accrual, rounded up.
    function debtOf(address borrower) external view returns (uint256);

    /// @notice Whether `borrower` is healthy at its effective liquidation LTV, as of the last accrual and sync.
    function isHealthy(address borrower) external view returns (bool);

    /// @notice The per-second borrow rate of `bucket` at the current utilization (WAD).
    function borrowRate(uint8 bucket) external view returns (uint256);
}
