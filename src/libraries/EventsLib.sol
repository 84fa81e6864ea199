// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title EventsLib
/// @notice Every event of zkrisk, declared once.
library EventsLib {
    /* ATTESTATION REGISTRY */

    /// @notice Emitted when governance registers a credit model.
    event ModelRegistered(
        bytes32 indexed modelId, address indexed verifier, uint8 tierCount, uint8 outputScale, uint64 lifetime
    );

    /// @notice Emitted when governance retires a credit model.
    event ModelRetired(bytes32 indexed modelId);

    /// @notice Emitted when an attestor posts a wallet's salted data commitment.
    event CommitmentPosted(
        address indexed wallet, address indexed attestor, uint256 oldCommitment, uint256 newCommitment, uint64 postedAt
    );

    /// @notice Emitted when a proof attests a wallet's tier.
    event Attested(
        address indexed wallet,
        bytes32 indexed modelId,
        address indexed caller,
        uint8 tier,
        uint64 issuedAt,
        uint64 expiresAt,
        bytes32 proofHash,
        uint256 inputCommitment
    );

    /* LENDING: GOVERNANCE */

    /// @notice Emitted when a bucket's risk parameters are set.
    event TierParamsSet(uint8 indexed bucket, uint256 apr, uint256 maxLtv, uint256 lltv);

    /// @notice Emitted when the market is paused or unpaused.
    event PausedSet(address indexed caller, bool paused);

    /* LENDING: ACCOUNTING */

    /// @notice Emitted when interest accrues on a bucket.
    event AccrueInterest(uint8 indexed bucket, uint256 ratePerSecond, uint256 interest);

    /// @notice Emitted on supply of loan tokens.
    event Supply(address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares);

    /// @notice Emitted on withdrawal of loan tokens.
    event Withdraw(address indexed caller, address indexed receiver, uint256 assets, uint256 shares);

    /// @notice Emitted on supply of collateral.
    event SupplyCollateral(address indexed caller, address indexed onBehalf, uint256 assets);

    /// @notice Emitted on withdrawal of collateral.
    event WithdrawCollateral(address indexed caller, address indexed receiver, uint256 assets);

    /// @notice Emitted on a borrow.
    event Borrow(
        address indexed caller, address indexed receiver, uint8 indexed bucket, uint256 assets, uint256 shares
    );

    /// @notice Emitted on a repayment.
    event Repay(address indexed caller, address indexed onBehalf, uint8 indexed bucket, uint256 assets, uint256 shares);

    /// @notice Emitted when a borrower's debt moves to the bucket of its current tier.
    /// @param rampFromLltv The liquidation LTV the downgrade ramp starts from (0 when there is no ramp).
    event TierSynced(
        address indexed borrower,
        uint8 indexed fromBucket,
        uint8 indexed toBucket,
        uint256 assets,
        uint256 oldShares,
        uint256 newShares,
        uint256 rampFromLltv
    );

    /// @notice Emitted on a liquidation.
    event Liquidate(
        address indexed caller,
        address indexed borrower,
        uint8 indexed bucket,
        uint256 repaidAssets,
        uint256 repaidShares,
        uint256 seizedAssets
    );

    /// @notice Emitted when a liquidation leaves debt without collateral: the debt is written off against suppliers.
    event BadDebt(address indexed borrower, uint8 indexed bucket, uint256 assets, uint256 shares);
}
