// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IZkRiskLending, TierParams, MarketConfig, Bucket, Position} from "./interfaces/IZkRiskLending.sol";
import {ICreditOracle, CreditPeriod} from "./interfaces/ICreditOracle.sol";
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

    /* TYPES */

    /// @dev A position's tier terms: its bucket, the attestation round it follows, its downgrade ramp, the catch-up
    /// exponent (rate * time, WAD) of the interest it owes for time spent in costlier buckets than its stored one, and
    /// whether they differ from the stored terms.
    struct TierTerms {
        uint8 bucket;
        uint64 round;
        uint64 rampStart;
        uint64 rampEnd;
        uint256 rampFromLltv;
        uint256 catchUpExponent;
        bool changed;
    }

    /// @dev A position's debt once a sync moves it into the bucket of its terms: the assets leaving its stored bucket,
    /// the catch-up interest, the new shares and the debt they are worth (rounded up); `moves` is false when the sync
    /// leaves the shares where they are (same bucket, no catch-up interest).
    struct DebtMove {
        bool moves;
        uint256 assets;
        uint256 interest;
        uint256 newShares;
        uint256 debt;
    }

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

        uint8 b = _internalSyncTier(onBehalf);

        Position storage p = _positions[onBehalf];
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
        uint256 lltv = _internalLiquidationLtv(p);
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

        // What the collateral left cannot cover is bad debt now (all of it when no collateral is left).
        if (p.borrowShares > 0) {
            uint256 collateralValue = p.collateral.mulDivDown(price, ConstantsLib.ORACLE_PRICE_SCALE);
            if (_internalDebt(p, b) > collateralValue) _internalRealizeBadDebt(borrower, p, b, collateralValue);
        }

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
        TierTerms memory t = _internalTierTerms(borrower, _positions[borrower]);
        return _internalRampedLltv(t.bucket, t.rampFromLltv, t.rampStart, t.rampEnd, block.timestamp);
    }

    /// @inheritdoc IZkRiskLending
    function debtOf(address borrower) external view returns (uint256) {
        Position storage p = _positions[borrower];
        if (p.borrowShares == 0) return 0;
        return _internalDebtMove(p, _internalTierTerms(borrower, p)).debt;
    }

    /// @inheritdoc IZkRiskLending
    function isHealthy(address borrower) external view returns (bool) {
        Position storage p = _positions[borrower];
        if (p.borrowShares == 0) return true;
        TierTerms memory t = _internalTierTerms(borrower, p);
        uint256 lltv = _internalRampedLltv(t.bucket, t.rampFromLltv, t.rampStart, t.rampEnd, block.timestamp);
        return _internalDebtMove(p, t).debt <= _internalMaxDebt(p.collateral, IOracle(ORACLE).price(), lltv);
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
            uint256 interest = assets.wMulDown(rate.wCompoundedDown(elapsed));
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
        CreditPeriod memory c = ICreditOracle(CREDIT_ORACLE).creditPeriodOf(wallet);
        return c.counts ? _bucketOfTier(c.tier) : ConstantsLib.BUCKET_UNVERIFIED;
    }

    /// @dev The bucket of a proven tier: tiers above HIGH count as HIGH.
    function _bucketOfTier(uint8 tier) internal pure returns (uint8) {
        return tier > ConstantsLib.BUCKET_HIGH ? ConstantsLib.BUCKET_HIGH : tier;
    }

    /// @dev The terms `borrower`'s position `p` has now: its stored terms with every change of its credit since its
    /// last sync applied at the date the credit oracle gives it (see the contract-level notes of IZkRiskLending).
    /// The changes, in order: if the wallet was attested since the sync, the end of the attestation before (when the
    /// position held a verified bucket) and the new attestation; then, if the latest attestation no longer counts,
    /// its end. Dates are clamped to [the last sync, now]. Without debt, the terms are simply the current tier's.
    function _internalTierTerms(address borrower, Position storage p) internal view returns (TierTerms memory t) {
        CreditPeriod memory c = ICreditOracle(CREDIT_ORACLE).creditPeriodOf(borrower);
        uint8 latest = c.roundId == 0 ? ConstantsLib.BUCKET_UNVERIFIED : _bucketOfTier(c.tier);
        t.bucket = p.bucket;
        t.round = c.roundId;
        if (p.borrowShares == 0) {
            if (!c.counts) t.bucket = ConstantsLib.BUCKET_UNVERIFIED;
            else t.bucket = latest;
            t.changed = t.bucket != p.bucket || t.round != p.round || p.rampEnd != 0;
            return t;
        }
        t.rampStart = p.rampStart;
        t.rampEnd = p.rampEnd;
        t.rampFromLltv = p.rampFromLltv;

        uint64[3] memory at;
        uint8[3] memory to;
        uint256 count;
        if (c.roundId != p.round) {
            if (p.bucket != ConstantsLib.BUCKET_UNVERIFIED) {
                (at[count], to[count]) = (c.previousEndedAt, ConstantsLib.BUCKET_UNVERIFIED);
                ++count;
            }
            (at[count], to[count]) = (c.issuedAt, latest);
            ++count;
        }
        if (!c.counts) {
            (at[count], to[count]) = (c.endsAt, ConstantsLib.BUCKET_UNVERIFIED);
            ++count;
        }

        // Catch-up: rate * time spent in each bucket, relative to the stored bucket's rate (which it accrued at), up
        // to the last accrual.
        uint256 baseApr = _tierParams[p.bucket].apr;
        uint256 costlier;
        uint256 cheaper;
        uint256 since = p.syncedAt;
        for (uint256 i; i < count; ++i) {
            uint256 date = uint256(at[i]).max(since).min(block.timestamp);
            (costlier, cheaper) = _internalAddCatchUp(costlier, cheaper, baseApr, t.bucket, since, date);
            _internalApplyChange(t, to[i], date);
            since = date;
        }
        (costlier, cheaper) = _internalAddCatchUp(costlier, cheaper, baseApr, t.bucket, since, lastUpdate);
        t.catchUpExponent = costlier.zeroFloorSub(cheaper).mulDivUp(1, ConstantsLib.SECONDS_PER_YEAR);

        t.changed = t.bucket != p.bucket || t.round != p.round || t.rampStart != p.rampStart || t.rampEnd != p.rampEnd
            || t.rampFromLltv != p.rampFromLltv || t.catchUpExponent != 0;
    }

    /// @dev Applies a change of the wallet's bucket to `to` at `date` to terms `t`. An upgrade (the new bucket's
    /// liquidation LTV is not below the effective one at `date`) ends any ramp. A downgrade ramps from the effective
    /// value at `date` to the new bucket's, until the end of the ramp in progress if there is one, or for
    /// DOWNGRADE_RAMP.
    function _internalApplyChange(TierTerms memory t, uint8 to, uint256 date) internal view {
        if (to == t.bucket) return;
        uint256 current = _internalRampedLltv(t.bucket, t.rampFromLltv, t.rampStart, t.rampEnd, date);
        t.bucket = to;
        if (_tierParams[to].lltv >= current) {
            (t.rampStart, t.rampEnd, t.rampFromLltv) = (0, 0, 0);
            return;
        }
        // Casting to uint64 is safe: date <= block.timestamp.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (t.rampEnd <= date) t.rampEnd = uint64(date) + ConstantsLib.DOWNGRADE_RAMP;
        // forge-lint: disable-next-line(unsafe-typecast)
        t.rampStart = uint64(date);
        t.rampFromLltv = current;
    }

    /// @dev Adds to the catch-up sums the time in [from, to), cut at the last accrual, that the position spent in
    /// bucket `b`, weighted by how much costlier or cheaper `b`'s base APR is than `baseApr`.
    function _internalAddCatchUp(uint256 costlier, uint256 cheaper, uint256 baseApr, uint8 b, uint256 from, uint256 to)
        internal
        view
        returns (uint256, uint256)
    {
        uint256 elapsed = to.min(lastUpdate).zeroFloorSub(from);
        uint256 apr = _tierParams[b].apr;
        if (apr > baseApr) costlier += (apr - baseApr) * elapsed;
        else cheaper += (baseApr - apr) * elapsed;
        return (costlier, cheaper);
    }

    /// @dev The debt of `p` once a sync to terms `t` moves it (see DebtMove). The assets leaving the stored bucket
    /// are rounded up and capped by the bucket's, the catch-up interest is rounded up, and the new shares are rounded
    /// up in the destination, so bucket totals stay consistent with `totalBorrowAssets`.
    function _internalDebtMove(Position storage p, TierTerms memory t) internal view returns (DebtMove memory m) {
        Bucket storage src = _buckets[p.bucket];
        uint256 shares = p.borrowShares;
        m.assets = shares.toAssetsUp(src.borrowAssets, src.borrowShares).min(src.borrowAssets);
        m.interest = m.assets.wMulUp(MathLib.wExpMinusOneDown(t.catchUpExponent));
        m.moves = shares > 0 && (t.bucket != p.bucket || m.interest > 0);
        if (!m.moves) {
            (m.newShares, m.debt) = (shares, _internalDebt(p, p.bucket));
            return m;
        }
        Bucket storage dst = _buckets[t.bucket];
        uint256 dstAssets = dst.borrowAssets;
        uint256 dstShares = dst.borrowShares;
        if (t.bucket == p.bucket) (dstAssets, dstShares) = (dstAssets - m.assets, dstShares - shares);
        uint256 moved = m.assets + m.interest;
        m.newShares = moved.toSharesUp(dstAssets, dstShares);
        m.debt = m.newShares.toAssetsUp(dstAssets + moved, dstShares + m.newShares);
    }

    /// @dev Accrues interest, then writes `borrower`'s current terms (`_internalTierTerms`): moves its debt with the
    /// catch-up interest (`_internalDebtMove`) and records its bucket, ramp, round and sync time.
    function _internalSyncTier(address borrower) internal returns (uint8) {
        _internalAccrueInterest();

        Position storage p = _positions[borrower];
        TierTerms memory t = _internalTierTerms(borrower, p);
        if (!t.changed) return p.bucket;

        uint8 from = p.bucket;
        uint256 oldShares = p.borrowShares;
        DebtMove memory m = _internalDebtMove(p, t);
        if (m.moves) {
            Bucket storage src = _buckets[from];
            src.borrowShares -= oldShares;
            src.borrowAssets -= m.assets;
            Bucket storage dst = _buckets[t.bucket];
            dst.borrowShares += m.newShares;
            dst.borrowAssets += m.assets + m.interest;
            totalBorrowAssets += m.interest;
            totalSupplyAssets += m.interest;
            p.borrowShares = m.newShares;
        }
        p.bucket = t.bucket;
        // Casting to uint40 is safe: the ramp's times are at most block.timestamp + DOWNGRADE_RAMP < 2**40.
        // forge-lint: disable-next-line(unsafe-typecast)
        p.rampStart = uint40(t.rampStart);
        // forge-lint: disable-next-line(unsafe-typecast)
        p.rampEnd = uint40(t.rampEnd);
        // Casting to uint64 is safe: rampFromLltv <= MAX_LLTV < 2**64.
        // forge-lint: disable-next-line(unsafe-typecast)
        p.rampFromLltv = uint64(t.rampFromLltv);
        p.round = t.round;
        // forge-lint: disable-next-line(unsafe-typecast)
        p.syncedAt = uint40(block.timestamp);

        emit EventsLib.TierSynced(
            borrower,
            from,
            t.bucket,
            t.round,
            m.assets + m.interest,
            m.interest,
            oldShares,
            m.newShares,
            t.rampFromLltv,
            t.rampStart,
            t.rampEnd
        );
        return t.bucket;
    }

    /// @dev The stored effective liquidation LTV of `p` now (its ramp included): for positions just synced.
    function _internalLiquidationLtv(Position storage p) internal view returns (uint256) {
        return _internalRampedLltv(p.bucket, p.rampFromLltv, p.rampStart, p.rampEnd, block.timestamp);
    }

    /// @dev The effective liquidation LTV at `date` in bucket `b` with a ramp from `from` at `start` to the bucket's
    /// value at `end`: linear in between, rounded down (against the borrower); the bucket's before a ramp that is
    /// over, absent or would not lower it.
    function _internalRampedLltv(uint8 b, uint256 from, uint256 start, uint256 end, uint256 date)
        internal
        view
        returns (uint256)
    {
        uint256 target = _tierParams[b].lltv;
        if (date >= end || from <= target) return target;
        return from - (from - target).mulDivUp(date.zeroFloorSub(start), end - start);
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

    /// @dev The debt of position `p` in bucket `b` as stored, rounded up.
    function _internalDebt(Position storage p, uint8 b) internal view returns (uint256) {
        Bucket storage bk = _buckets[b];
        return p.borrowShares.toAssetsUp(bk.borrowAssets, bk.borrowShares);
    }

    /// @dev The collateral value times `ltv`, rounded down.
    function _internalMaxDebt(uint256 collateral, uint256 price, uint256 ltv) internal pure returns (uint256) {
        return collateral.mulDivDown(price, ConstantsLib.ORACLE_PRICE_SCALE).wMulDown(ltv);
    }

    /// @dev Whether the position's debt (rounded up) is at most its collateral value times `ltv` (rounded down).
    function _internalIsHealthy(Position storage p, uint8 b, uint256 price, uint256 ltv) internal view returns (bool) {
        return _internalDebt(p, b) <= _internalMaxDebt(p.collateral, price, ltv);
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

    /// @dev Writes off against suppliers the part of `borrower`'s debt above `covered` (the value of its remaining
    /// collateral): it keeps the shares `covered` buys, rounded down, so its debt (rounded up) is at most `covered`.
    function _internalRealizeBadDebt(address borrower, Position storage p, uint8 b, uint256 covered) internal {
        Bucket storage bk = _buckets[b];
        uint256 keptShares = covered.toSharesDown(bk.borrowAssets, bk.borrowShares).min(p.borrowShares);
        uint256 badDebtShares = p.borrowShares - keptShares;
        uint256 badDebtAssets = badDebtShares.toAssetsUp(bk.borrowAssets, bk.borrowShares).min(bk.borrowAssets);

        p.borrowShares = keptShares;
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
