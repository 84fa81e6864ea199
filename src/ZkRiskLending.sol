// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IZkRiskLending, TierParams, MarketConfig, Bucket, Position} from "./interfaces/IZkRiskLending.sol";
import {ICreditOracle} from "./interfaces/ICreditOracle.sol";
import {IOracle} from "./interfaces/IOracle.sol";

import {ConstantsLib, DEBT_BUCKET_COUNT} from "./libraries/ConstantsLib.sol";
import {ErrorsLib} from "./libraries/ErrorsLib.sol";
import {EventsLib} from "./libraries/EventsLib.sol";
import {MathLib} from "./libraries/MathLib.sol";
import {SharesMathLib} from "./libraries/SharesMathLib.sol";

/// @title ZkRiskLending
/// @notice One isolated lending market whose borrowers' rates and LTVs follow their proven credit tiers.
contract ZkRiskLending is IZkRiskLending, AccessControl, ReentrancyGuard {
    using MathLib for uint256;
    using SharesMathLib for uint256;
    using SafeERC20 for IERC20;

    /* ROLES */

    /// @inheritdoc IZkRiskLending
    bytes32 public constant RISK_MANAGER_ROLE = keccak256("RISK_MANAGER_ROLE");

    /// @inheritdoc IZkRiskLending
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /* IMMUTABLES */

    /// @inheritdoc IZkRiskLending
    address public immutable LOAN_TOKEN;

    /// @inheritdoc IZkRiskLending
    address public immutable COLLATERAL_TOKEN;

    /// @inheritdoc IZkRiskLending
    address public immutable ORACLE;

    /// @inheritdoc IZkRiskLending
    address public immutable CREDIT_ORACLE;

    /// @inheritdoc IZkRiskLending
    uint256 public immutable KINK_UTILIZATION;

    /// @inheritdoc IZkRiskLending
    uint256 public immutable JUMP_APR;

    /* STORAGE */

    /// @inheritdoc IZkRiskLending
    bool public paused;

    /// @inheritdoc IZkRiskLending
    uint256 public totalSupplyAssets;

    /// @inheritdoc IZkRiskLending
    uint256 public totalSupplyShares;

    /// @inheritdoc IZkRiskLending
    uint256 public totalBorrowAssets;

    /// @inheritdoc IZkRiskLending
    uint256 public totalBadDebt;

    /// @inheritdoc IZkRiskLending
    uint256 public lastUpdate;

    Bucket[DEBT_BUCKET_COUNT] internal _buckets;
    TierParams[DEBT_BUCKET_COUNT] internal _tierParams;
    mapping(address account => Position) internal _positions;

    /* CONSTRUCTOR */

    /// @param config The market's immutable configuration.
    /// @param params Initial risk parameters of buckets LOW, MEDIUM, HIGH, UNVERIFIED.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, RISK_MANAGER_ROLE and PAUSER_ROLE.
    constructor(MarketConfig memory config, TierParams[DEBT_BUCKET_COUNT] memory params, address admin) {
        if (
            config.loanToken == address(0) || config.collateralToken == address(0) || config.oracle == address(0)
                || config.creditOracle == address(0) || admin == address(0)
        ) revert ErrorsLib.ZeroAddress();
        if (
            config.kinkUtilization < ConstantsLib.MIN_KINK_UTILIZATION
                || config.kinkUtilization > ConstantsLib.MAX_KINK_UTILIZATION
                || config.jumpApr > ConstantsLib.MAX_JUMP_APR
        ) revert ErrorsLib.InvalidRateModel();

        LOAN_TOKEN = config.loanToken;
        COLLATERAL_TOKEN = config.collateralToken;
        ORACLE = config.oracle;
        CREDIT_ORACLE = config.creditOracle;
        KINK_UTILIZATION = config.kinkUtilization;
        JUMP_APR = config.jumpApr;

        for (uint8 b; b < ConstantsLib.BUCKET_COUNT; ++b) {
            _internalSetTierParams(b, params[b]);
        }
        lastUpdate = block.timestamp;

        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RISK_MANAGER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    /* MODIFIERS */

    modifier whenNotPaused() {
        if (paused) revert ErrorsLib.MarketPaused();
        _;
    }

    /* GOVERNANCE */

    /// @inheritdoc IZkRiskLending
    function setTierParams(uint8 bucket_, TierParams calldata params) external onlyRole(RISK_MANAGER_ROLE) {
        if (bucket_ >= ConstantsLib.BUCKET_COUNT) revert ErrorsLib.InvalidBucket();
        if (params.lltv < _tierParams[bucket_].lltv) revert ErrorsLib.LltvDecrease();

        _internalAccrueInterest();
        _internalSetTierParams(bucket_, params);
    }

    /// @inheritdoc IZkRiskLending
    function setPaused(bool paused_) external onlyRole(PAUSER_ROLE) {
        if (paused_ == paused) revert ErrorsLib.PauseUnchanged();

        paused = paused_;

        emit EventsLib.PausedSet(msg.sender, paused_);
    }

    /* SUPPLY SIDE */

    /// @inheritdoc IZkRiskLending
    function supply(uint256 assets, address onBehalf) external nonReentrant whenNotPaused returns (uint256 shares) {
        if (assets == 0) revert ErrorsLib.ZeroAmount();
        if (onBehalf == address(0)) revert ErrorsLib.ZeroAddress();

        _internalAccrueInterest();

        shares = assets.toSharesDown(totalSupplyAssets, totalSupplyShares);
        _positions[onBehalf].supplyShares += shares;
        totalSupplyShares += shares;
        totalSupplyAssets += assets;

        emit EventsLib.Supply(msg.sender, onBehalf, assets, shares);

        IERC20(LOAN_TOKEN).safeTransferFrom(msg.sender, address(this), assets);
    }

    /// @inheritdoc IZkRiskLending
    function withdraw(uint256 assets, uint256 shares, address receiver)
        external
        nonReentrant
        returns (uint256, uint256)
    {
        if (!_exactlyOneZero(assets, shares)) revert ErrorsLib.InconsistentInput();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();

        _internalAccrueInterest();

        if (assets > 0) shares = assets.toSharesUp(totalSupplyAssets, totalSupplyShares);
        else assets = shares.toAssetsDown(totalSupplyAssets, totalSupplyShares);

        Position storage p = _positions[msg.sender];
        if (shares > p.supplyShares) revert ErrorsLib.InsufficientSupplyShares();

        p.supplyShares -= shares;
        totalSupplyShares -= shares;
        totalSupplyAssets -= assets;
        if (totalBorrowAssets > totalSupplyAssets) revert ErrorsLib.InsufficientLiquidity();

        emit EventsLib.Withdraw(msg.sender, receiver, assets, shares);

        IERC20(LOAN_TOKEN).safeTransfer(receiver, assets);

        return (assets, shares);
    }

    /* COLLATERAL */

    /// @inheritdoc IZkRiskLending
    function supplyCollateral(uint256 assets, address onBehalf) external nonReentrant {
        if (assets == 0) revert ErrorsLib.ZeroAmount();
        if (onBehalf == address(0)) revert ErrorsLib.ZeroAddress();

        _positions[onBehalf].collateral += assets;

        emit EventsLib.SupplyCollateral(msg.sender, onBehalf, assets);

        IERC20(COLLATERAL_TOKEN).safeTransferFrom(msg.sender, address(this), assets);
    }

    /// @inheritdoc IZkRiskLending
    function withdrawCollateral(uint256 assets, address receiver) external nonReentrant {
        if (assets == 0) revert ErrorsLib.ZeroAmount();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();

        uint8 b = _internalSyncTier(msg.sender);

        Position storage p = _positions[msg.sender];
        if (assets > p.collateral) revert ErrorsLib.InsufficientCollateral();
        p.collateral -= assets;
        if (!_internalIsWithinLtv(p, b, _tierParams[b].maxLtv)) revert ErrorsLib.MaxLtvExceeded();

        emit EventsLib.WithdrawCollateral(msg.sender, receiver, assets);

        IERC20(COLLATERAL_TOKEN).safeTransfer(receiver, assets);
    }

    /* BORROW SIDE */

    /// @inheritdoc IZkRiskLending
    function borrow(uint256 assets, address receiver) external nonReentrant whenNotPaused returns (uint256 shares) {
        if (assets == 0) revert ErrorsLib.ZeroAmount();
        if (receiver == address(0)) revert ErrorsLib.ZeroAddress();

        uint8 b = _internalSyncTier(msg.sender);

        Bucket storage bk = _buckets[b];
        shares = assets.toSharesUp(bk.borrowAssets, bk.borrowShares);
        Position storage p = _positions[msg.sender];
        p.borrowShares += shares;
        bk.borrowShares += shares;
        bk.borrowAssets += assets;
        totalBorrowAssets += assets;

        if (totalBorrowAssets > totalSupplyAssets) revert ErrorsLib.InsufficientLiquidity();
        if (!_internalIsWithinLtv(p, b, _tierParams[b].maxLtv)) revert ErrorsLib.MaxLtvExceeded();

        emit EventsLib.Borrow(msg.sender, receiver, b, assets, shares);

        IERC20(LOAN_TOKEN).safeTransfer(receiver, assets);
    }

    /// @inheritdoc IZkRiskLending
    function repay(uint256 assets, uint256 shares, address onBehalf) external nonReentrant returns (uint256, uint256) {
        if (!_exactlyOneZero(assets, shares)) revert ErrorsLib.InconsistentInput();
        if (onBehalf == address(0)) revert ErrorsLib.ZeroAddress();

        _internalAccrueInterest();

        Position storage p = _positions[onBehalf];
        uint8 b = p.bucket;
        Bucket storage bk = _buckets[b];
        if (assets > 0) shares = assets.toSharesDown(bk.borrowAssets, bk.borrowShares);
        else assets = shares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
        if (shares > p.borrowShares) revert ErrorsLib.RepayExceedsDebt();

        p.borrowShares -= shares;
        _internalReduceDebt(bk, shares, assets);

        emit EventsLib.Repay(msg.sender, onBehalf, b, assets, shares);

        IERC20(LOAN_TOKEN).safeTransferFrom(msg.sender, address(this), assets);

        return (assets, shares);
    }

    /// @inheritdoc IZkRiskLending
    function liquidate(address borrower, uint256 seizedAssets, uint256 repaidShares)
        external
        nonReentrant
        returns (uint256, uint256)
    {
        if (!_exactlyOneZero(seizedAssets, repaidShares)) revert ErrorsLib.InconsistentInput();

        uint8 b = _internalSyncTier(borrower);

        Position storage p = _positions[borrower];
        uint256 lltv = _internalLiquidationLtv(p, b);
        uint256 price = IOracle(ORACLE).price();
        if (_internalIsHealthy(p, b, price, lltv)) revert ErrorsLib.HealthyPosition();

        uint256 repaidAssets;
        (seizedAssets, repaidShares, repaidAssets) =
            _internalLiquidationAmounts(b, price, lltv, seizedAssets, repaidShares);
        if (repaidShares > p.borrowShares) revert ErrorsLib.RepayExceedsDebt();
        if (seizedAssets > p.collateral) revert ErrorsLib.InsufficientCollateral();

        p.borrowShares -= repaidShares;
        p.collateral -= seizedAssets;
        _internalReduceDebt(_buckets[b], repaidShares, repaidAssets);

        emit EventsLib.Liquidate(msg.sender, borrower, b, repaidAssets, repaidShares, seizedAssets);

        if (p.collateral == 0 && p.borrowShares > 0) _internalRealizeBadDebt(borrower, p, b);

        IERC20(COLLATERAL_TOKEN).safeTransfer(msg.sender, seizedAssets);
        IERC20(LOAN_TOKEN).safeTransferFrom(msg.sender, address(this), repaidAssets);

        return (seizedAssets, repaidAssets);
    }

    /* TIERS AND INTEREST */

    /// @inheritdoc IZkRiskLending
    function syncTier(address borrower) external nonReentrant returns (uint8) {
        return _internalSyncTier(borrower);
    }

    /// @inheritdoc IZkRiskLending
    function accrueInterest() external nonReentrant {
        _internalAccrueInterest();
    }

    /* VIEWS */

    /// @inheritdoc IZkRiskLending
    function bucket(uint8 bucket_) external view returns (Bucket memory) {
        return _buckets[bucket_];
    }

    /// @inheritdoc IZkRiskLending
    function tierParams(uint8 bucket_) external view returns (TierParams memory) {
        return _tierParams[bucket_];
    }

    /// @inheritdoc IZkRiskLending
    function position(address account) external view returns (Position memory) {
        return _positions[account];
    }

    /// @inheritdoc IZkRiskLending
    function bucketFor(address wallet) external view returns (uint8) {
        return _internalBucketFor(wallet);
    }

    /// @inheritdoc IZkRiskLending
    function liquidationLtvOf(address borrower) external view returns (uint256) {
        Position storage p = _positions[borrower];
        return _internalLiquidationLtv(p, p.bucket);
    }

    /// @inheritdoc IZkRiskLending
    function debtOf(address borrower) external view returns (uint256) {
        Position storage p = _positions[borrower];
        Bucket storage bk = _buckets[p.bucket];
        return p.borrowShares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
    }

    /// @inheritdoc IZkRiskLending
    function isHealthy(address borrower) external view returns (bool) {
        Position storage p = _positions[borrower];
        if (p.borrowShares == 0) return true;
        return _internalIsHealthy(p, p.bucket, IOracle(ORACLE).price(), _internalLiquidationLtv(p, p.bucket));
    }

    /// @inheritdoc IZkRiskLending
    function borrowRate(uint8 bucket_) external view returns (uint256) {
        return (_tierParams[bucket_].apr + _internalPremiumApr(totalBorrowAssets, totalSupplyAssets))
            / ConstantsLib.SECONDS_PER_YEAR;
    }

    /* INTERNAL: INTEREST */

    /// @dev Accrues interest on every bucket since the last update. Interest is rounded down.
    function _internalAccrueInterest() internal {
        uint256 elapsed = block.timestamp - lastUpdate;
        if (elapsed == 0) return;
        lastUpdate = block.timestamp;

        uint256 borrowed = totalBorrowAssets;
        if (borrowed == 0) return;

        uint256 premium = _internalPremiumApr(borrowed, totalSupplyAssets);
        uint256 totalInterest;
        for (uint8 b; b < ConstantsLib.BUCKET_COUNT; ++b) {
            Bucket storage bk = _buckets[b];
            uint256 assets = bk.borrowAssets;
            if (assets == 0) continue;

            uint256 rate = (_tierParams[b].apr + premium) / ConstantsLib.SECONDS_PER_YEAR;
            uint256 interest = assets.wMulDown(rate.wTaylorCompoundedDown(elapsed));
            bk.borrowAssets = assets + interest;
            totalInterest += interest;

            emit EventsLib.AccrueInterest(b, rate, interest);
        }
        totalBorrowAssets = borrowed + totalInterest;
        totalSupplyAssets += totalInterest;
    }

    /// @dev The APR premium every bucket pays above the utilization kink: 0 up to the kink, then linear up to
    /// JUMP_APR at 100% utilization.
    function _internalPremiumApr(uint256 borrowed, uint256 supplied) internal view returns (uint256) {
        if (borrowed == 0) return 0;
        uint256 utilization = supplied == 0 ? ConstantsLib.WAD : borrowed.wDivDown(supplied).min(ConstantsLib.WAD);
        if (utilization <= KINK_UTILIZATION) return 0;
        return JUMP_APR.mulDivDown(utilization - KINK_UTILIZATION, ConstantsLib.WAD - KINK_UTILIZATION);
    }

    /* INTERNAL: TIERS */

    /// @dev The bucket a wallet's debt belongs in now: its verified tier (tiers above HIGH count as HIGH), or
    /// UNVERIFIED.
    function _internalBucketFor(address wallet) internal view returns (uint8) {
        (uint8 tier,, bool verified) = ICreditOracle(CREDIT_ORACLE).tierOf(wallet);
        if (!verified) return ConstantsLib.BUCKET_UNVERIFIED;
        return tier > ConstantsLib.BUCKET_HIGH ? ConstantsLib.BUCKET_HIGH : tier;
    }

    /// @dev Accrues interest, then moves `borrower`'s debt to the bucket of its current tier. Moving keeps the
    /// debt's assets (rounded up, capped by the source bucket) and mints shares rounded up in the destination, so
    /// bucket totals stay consistent with `totalBorrowAssets`. A move to a lower liquidation LTV starts a ramp.
    function _internalSyncTier(address borrower) internal returns (uint8 to) {
        _internalAccrueInterest();

        Position storage p = _positions[borrower];
        uint8 from = p.bucket;
        to = _internalBucketFor(borrower);
        if (from == to) return to;

        uint256 oldShares = p.borrowShares;
        uint256 assets;
        uint256 newShares;
        uint256 rampFromLltv;
        if (oldShares > 0) {
            uint256 currentLltv = _internalLiquidationLtv(p, from);

            Bucket storage src = _buckets[from];
            assets = oldShares.toAssetsUp(src.borrowAssets, src.borrowShares).min(src.borrowAssets);
            src.borrowShares -= oldShares;
            src.borrowAssets -= assets;

            Bucket storage dst = _buckets[to];
            newShares = assets.toSharesUp(dst.borrowAssets, dst.borrowShares);
            dst.borrowShares += newShares;
            dst.borrowAssets += assets;
            p.borrowShares = newShares;

            if (_tierParams[to].lltv < currentLltv) rampFromLltv = currentLltv;
        }
        p.bucket = to;
        // Casting to uint64 is safe: rampFromLltv <= MAX_LLTV < 2**64.
        // forge-lint: disable-next-line(unsafe-typecast)
        p.rampFromLltv = uint64(rampFromLltv);
        p.rampStart = rampFromLltv == 0 ? 0 : uint64(block.timestamp);

        emit EventsLib.TierSynced(borrower, from, to, assets, oldShares, newShares, rampFromLltv);
    }

    /// @dev The effective liquidation LTV of position `p` in bucket `b`: the bucket's, or during a downgrade ramp a
    /// linear interpolation from the ramp's start value, rounded down (against the borrower).
    function _internalLiquidationLtv(Position storage p, uint8 b) internal view returns (uint256) {
        uint256 target = _tierParams[b].lltv;
        uint256 start = p.rampStart;
        if (start == 0) return target;
        uint256 from = p.rampFromLltv;
        uint256 elapsed = block.timestamp - start;
        if (from <= target || elapsed >= ConstantsLib.DOWNGRADE_RAMP) return target;
        return from - (from - target).mulDivUp(elapsed, ConstantsLib.DOWNGRADE_RAMP);
    }

    /// @dev Validates and stores a bucket's risk parameters.
    function _internalSetTierParams(uint8 b, TierParams memory params) internal {
        if (params.apr > ConstantsLib.MAX_BASE_APR) revert ErrorsLib.AprTooHigh();
        if (
            params.maxLtv == 0 || params.maxLtv + ConstantsLib.MIN_LTV_BUFFER > params.lltv
                || params.lltv > ConstantsLib.MAX_LLTV
        ) revert ErrorsLib.InvalidLtv();

        _tierParams[b] = params;

        emit EventsLib.TierParamsSet(b, params.apr, params.maxLtv, params.lltv);
    }

    /* INTERNAL: HEALTH AND LIQUIDATION */

    /// @dev Whether the position's debt (rounded up) is at most its collateral value times `ltv` (rounded down).
    function _internalIsHealthy(Position storage p, uint8 b, uint256 price, uint256 ltv) internal view returns (bool) {
        Bucket storage bk = _buckets[b];
        uint256 debt = p.borrowShares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
        uint256 maxDebt = p.collateral.mulDivDown(price, ConstantsLib.ORACLE_PRICE_SCALE).wMulDown(ltv);
        return debt <= maxDebt;
    }

    /// @dev Like `_internalIsHealthy`, but reads the oracle only when the position has debt.
    function _internalIsWithinLtv(Position storage p, uint8 b, uint256 ltv) internal view returns (bool) {
        if (p.borrowShares == 0) return true;
        return _internalIsHealthy(p, b, IOracle(ORACLE).price(), ltv);
    }

    /// @dev Completes a liquidation's amounts from the one given, rounding against the liquidator.
    function _internalLiquidationAmounts(
        uint8 b,
        uint256 price,
        uint256 lltv,
        uint256 seizedAssets,
        uint256 repaidShares
    ) internal view returns (uint256, uint256, uint256 repaidAssets) {
        uint256 lif = _internalLiquidationIncentiveFactor(lltv);
        Bucket storage bk = _buckets[b];
        if (seizedAssets > 0) {
            uint256 seizedAssetsQuoted = seizedAssets.mulDivUp(price, ConstantsLib.ORACLE_PRICE_SCALE);
            repaidShares = seizedAssetsQuoted.wDivUp(lif).toSharesUp(bk.borrowAssets, bk.borrowShares);
        } else {
            seizedAssets = repaidShares.toAssetsDown(bk.borrowAssets, bk.borrowShares).wMulDown(lif)
                .mulDivDown(ConstantsLib.ORACLE_PRICE_SCALE, price);
        }
        repaidAssets = repaidShares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
        return (seizedAssets, repaidShares, repaidAssets);
    }

    /// @dev LIF = min(MAX_LIQUIDATION_INCENTIVE_FACTOR, 1 / (LIQUIDATION_CURSOR * lltv + 1 - LIQUIDATION_CURSOR)).
    function _internalLiquidationIncentiveFactor(uint256 lltv) internal pure returns (uint256) {
        return ConstantsLib.MAX_LIQUIDATION_INCENTIVE_FACTOR
            .min(
                ConstantsLib.WAD
                    .wDivDown(ConstantsLib.WAD - ConstantsLib.LIQUIDATION_CURSOR.wMulDown(ConstantsLib.WAD - lltv))
            );
    }

    /// @dev Writes off `borrower`'s remaining debt (it has no collateral left) against suppliers.
    function _internalRealizeBadDebt(address borrower, Position storage p, uint8 b) internal {
        Bucket storage bk = _buckets[b];
        uint256 badDebtShares = p.borrowShares;
        uint256 badDebtAssets = badDebtShares.toAssetsUp(bk.borrowAssets, bk.borrowShares).min(bk.borrowAssets);

        p.borrowShares = 0;
        _internalReduceDebt(bk, badDebtShares, badDebtAssets);
        totalSupplyAssets -= badDebtAssets;
        totalBadDebt += badDebtAssets;

        emit EventsLib.BadDebt(borrower, b, badDebtAssets, badDebtShares);
    }

    /// @dev Removes `shares` and up to `assets` of debt from bucket `bk` and from the total.
    function _internalReduceDebt(Bucket storage bk, uint256 shares, uint256 assets) internal {
        uint256 reduction = assets.min(bk.borrowAssets);
        bk.borrowShares -= shares;
        bk.borrowAssets -= reduction;
        totalBorrowAssets -= reduction;
    }

    /* INTERNAL: HELPERS */

    /// @dev Whether exactly one of `x` and `y` is zero.
    function _exactlyOneZero(uint256 x, uint256 y) internal pure returns (bool) {
        return (x == 0) != (y == 0);
    }
}
