// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SkipReason} from "../interfaces/IAttestationRegistry.sol";

/// @title EventsLib
/// @notice Every event of zkrisk, declared once.
library EventsLib {
    /* ATTESTATION REGISTRY */

    /// @notice Emitted when governance registers a credit model (it becomes the current model).
    event ModelRegistered(bytes32 indexed modelId, uint8 tierCount, uint8 outputScale, uint64 lifetime);

    /// @notice Emitted when governance registers the verifier of a model's circuit with `slots` wallet slots.
    event CircuitRegistered(bytes32 indexed modelId, uint16 indexed slots, address indexed verifier);

    /// @notice Emitted when governance retires a credit model.
    event ModelRetired(bytes32 indexed modelId);

    /// @notice Emitted when an attestor posts a wallet's salted data commitment.
    /// @param nonce The wallet's commitment counter after this post (1 for the first).
    event CommitmentPosted(
        address indexed wallet,
        address indexed attestor,
        uint256 oldCommitment,
        uint256 newCommitment,
        uint64 postedAt,
        uint32 nonce
    );

    /// @notice Emitted for each wallet a round attests.
    event Attested(
        address indexed wallet,
        uint64 indexed roundId,
        bytes32 indexed modelId,
        bytes32 proofHash,
        uint8 tier,
        bool neverLiquidated,
        uint64 expiresAt
    );

    /// @notice Emitted for each real wallet slot a round leaves unattested.
    /// @param slot The slot index in the round.
    event SlotSkipped(uint64 indexed roundId, address indexed wallet, uint256 slot, SkipReason reason);

    /// @notice Emitted once per verified proof, after its per-wallet events.
    event RoundAttested(
        uint64 indexed roundId,
        bytes32 indexed modelId,
        bytes32 proofHash,
        address indexed submitter,
        uint16 slots,
        uint16 attested
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

    /// @notice Emitted when a sync applies the tier changes since the borrower's last sync: its debt moves to the
    /// bucket of its current tier, with the interest it owes for the time it spent in costlier buckets.
    /// @param round The round of the attestation the position now follows.
    /// @param assets The debt moved (interest of the catch-up included).
    /// @param catchUpInterest The interest added for the time since the tier changed (see `syncTier`).
    /// @param rampFromLltv The liquidation LTV the downgrade ramp runs from (0 when there is no ramp).
    /// @param rampStart When the ramp's current segment starts (0 when there is no ramp).
    /// @param rampEnd When the ramp ends (0 when there is no ramp).
    event TierSynced(
        address indexed borrower,
        uint8 indexed fromBucket,
        uint8 indexed toBucket,
        uint64 round,
        uint256 assets,
        uint256 catchUpInterest,
        uint256 oldShares,
        uint256 newShares,
        uint256 rampFromLltv,
        uint64 rampStart,
        uint64 rampEnd
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

    /// @notice Emitted when a liquidation leaves debt that the remaining collateral cannot cover: the excess over the
    /// collateral's value (all of it when no collateral is left) is written off against suppliers.
    event BadDebt(address indexed borrower, uint8 indexed bucket, uint256 assets, uint256 shares);
}
