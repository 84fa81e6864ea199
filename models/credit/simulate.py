"""Seeded population simulator of wallets with cross-chain lending histories.

Why simulated: no labelled DeFi credit data set is reachable offline, so the training data
is generated here. The only real input is the ETH/USD daily return series in
data/eth_usd_daily_2023-01_2025-10.csv, which drives collateral prices. Everything below
is a model of borrower behaviour, documented so that it can be criticised and replaced.

Population
    Each wallet has a hidden *behaviour archetype* that sets the distributions of its
    hidden traits (traits vary continuously inside an archetype, and archetypes overlap):

    ================== ===== ============ ========== ==============================================
    archetype          share target risk  vigilance  notes
                             factor (mean) (mean)
    ================== ===== ============ ========== ==============================================
    conservative_saver 0.26  0.20         0.80       mostly deposits; only ~35% ever borrow
    steady_borrower    0.28  0.45         0.67       regular borrow/repay, deleverages early
    leveraged_farmer   0.15  0.68         0.58       active, multi-chain, multi-protocol leverage
    degen              0.07  0.78         0.30       volatile collateral, levers up into dips
    previously_liq.    0.10  0.72         0.33       reckless early; most reform after liquidation
    new_wallet         0.14  (hidden)     (hidden)   started < 90 days ago; its traits are drawn
                                                     from one of the five other archetypes, so its
                                                     short history is all the model gets to see
    ================== ===== ============ ========== ==============================================

    Traits: target risk factor (risk factor = 1/health factor = debt / (collateral value x
    liquidation threshold 0.825)), vigilance (daily probability of reacting when the risk
    factor passes the wallet's reaction level), reaction level, activity rate, collateral
    beta (volatility multiplier: 0.7 for ETH/BTC-heavy savers up to 2 for alt-coin collateral),
    probability of levering up in a drawdown, probability of reforming after a liquidation
    (lower target, higher vigilance), wealth (log-normal deposit size), chains and
    protocols used, non-protocol transaction rate.

Chains
    Each wallet is active on a subset of Ethereum (1), Polygon (137), Arbitrum (42161),
    with one independent position (collateral, debt) per chain, all priced by the wallet's
    collateral path. Features are computed per chain, then aggregated across chains by
    features.aggregate (the features.json definition, same code as at inference time).

Prices
    Each wallet gets its own collateral price path: a block bootstrap (blocks of 20 days)
    of the historical daily ETH/USD returns, scaled by the wallet's collateral beta plus
    small idiosyncratic noise. Different wallets therefore live through different
    resampled market histories (think of wallets observed at different dates); a crash
    block hits everyone who draws it, with volatility clustering preserved in each block.

Daily dynamics (history window of 730 days, then a 30-day label horizon)
    1. price move; debt accrues 5% APR;
    2. reaction: if risk factor > reaction level, with probability = vigilance, repay or
       add collateral down to ~0.6-0.9 x target; in a >10% 7-day drawdown vigilant wallets
       may repay part of their debt pre-emptively, dip-levering wallets borrow more;
    3. routine deposit / borrow (up to the target) / repay / withdraw events at the
       wallet's activity rate;
    4. liquidation if risk factor >= 1: 50% of the debt repaid from collateral with a 5%
       bonus (all collateral if it is not enough; residual bad debt written off);
       the wallet may reform afterwards;
    5. end-of-day sample of the risk factor (days with debt only).

Label
    Over the 30 days after the snapshot, the same dynamics continue; label = 1 if the
    wallet is liquidated on any chain OR its health factor falls below 1.2 (risk factor
    > 1/1.2) at an end-of-day sample on any chain.

Usage: python models/credit/simulate.py --wallets 20000 --seed 7 --out models/credit/out/dataset.npz
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features as F  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_CSV = HERE / "data" / "eth_usd_daily_2023-01_2025-10.csv"

HISTORY_DAYS = 730
HORIZON_DAYS = 30
BLOCK_DAYS = 20
LIQ_THRESHOLD = 0.825  # liquidation threshold (features.json riskFactor.liquidationThreshold)
LIQ_CLOSE_FACTOR = 0.5
LIQ_BONUS = 0.05
APR = 0.05
DRIFT_DAYS = 20     # mean days between small changes of a wallet's traits
REGIME_DAYS = 400   # mean days between regime changes (traits redrawn)
LABEL_HF = 1.2
CHAINS = (1, 137, 42161)
N_PROTOCOLS = 5  # features.json protocols.ids; bit 0 = zkrisk

ARCHETYPES = ("conservative_saver", "steady_borrower", "leveraged_farmer", "degen",
              "previously_liquidated", "new_wallet")
SHARES = np.array([0.26, 0.28, 0.15, 0.07, 0.10, 0.14])

# Per trait-source archetype (the first five; new_wallet borrows one of them).
#                     saver  steady farmer degen  prevliq
TARGET_AB = np.array([[2, 8], [5, 6], [7, 3.3], [9, 2.5], [8, 3.1]], dtype=float)  # Beta(a, b)
VIGIL_AB = np.array([[8, 2], [6, 3], [5, 3.6], [2, 4.7], [2, 4]], dtype=float)
REACT_LO = np.array([0.55, 0.68, 0.78, 0.86, 0.82])
REACT_HI = np.array([0.75, 0.85, 0.92, 0.97, 0.95])
ACTIVITY = np.array([0.03, 0.07, 0.20, 0.16, 0.10])   # events/day scale
BETA_LO = np.array([0.5, 0.6, 0.7, 0.9, 0.7])
BETA_HI = np.array([1.4, 1.7, 1.9, 2.4, 2.1])
IDIO_SD = np.array([0.003, 0.005, 0.008, 0.02, 0.01])
DIP_LEVER = np.array([0.0, 0.01, 0.08, 0.3, 0.12])
REFORM = np.array([0.8, 0.6, 0.4, 0.15, 0.7])
BORROWER = np.array([0.35, 0.95, 1.0, 1.0, 1.0])
WEALTH_MEDIAN = np.array([4000, 3000, 15000, 2000, 3000], dtype=float)
CHAIN_P = np.array([[0.70, 0.30, 0.30], [0.60, 0.45, 0.50], [0.60, 0.60, 0.75],
                    [0.40, 0.65, 0.80], [0.55, 0.50, 0.60]])
PROTO_P = np.array([0.15, 0.25, 0.55, 0.45, 0.35])


class SimulationError(ValueError):
    """Bad simulator input (one precise message)."""


def load_returns(csv_path: Path | str) -> np.ndarray:
    """Historical simple daily returns from the price CSV (columns date,price,ret)."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise SimulationError(f"price CSV not found: {csv_path}")
    lines = csv_path.read_text().strip().splitlines()
    if not lines or lines[0].strip().split(",")[:2] != ["date", "price"]:
        raise SimulationError(f"{csv_path}: expected a header 'date,price,ret'")
    try:
        prices = np.array([float(line.split(",")[1]) for line in lines[1:]])
    except (IndexError, ValueError):
        raise SimulationError(f"{csv_path}: a row has no numeric price") from None
    if len(prices) < 2 * BLOCK_DAYS or np.any(prices <= 0):
        raise SimulationError(f"{csv_path}: need at least {2 * BLOCK_DAYS} positive prices")
    return prices[1:] / prices[:-1] - 1.0


def wallet_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    raw = rng.integers(0, 256, size=(n, 20), dtype=np.uint8)
    return np.array(["0x" + bytes(r).hex() for r in raw])


def simulate(n_wallets: int, seed: int, csv_path: Path | str = DEFAULT_CSV,
             spec: dict | None = None) -> dict:
    """Simulate the population; return a dict of arrays (see save_dataset)."""
    if n_wallets <= 0:
        raise SimulationError(f"--wallets must be > 0, got {n_wallets}")
    spec = spec or F.load_spec()
    rets = load_returns(csv_path)
    rng = np.random.default_rng(seed)
    W, C, T, H = n_wallets, len(CHAINS), HISTORY_DAYS, HORIZON_DAYS

    # --- wallets and hidden traits ------------------------------------------------
    ids = wallet_ids(W, rng)
    arch = rng.choice(len(ARCHETYPES), size=W, p=SHARES)
    is_new = arch == ARCHETYPES.index("new_wallet")
    src = arch.copy()
    src[is_new] = rng.choice(5, size=int(is_new.sum()), p=SHARES[:5] / SHARES[:5].sum())

    target = np.clip(rng.beta(TARGET_AB[src, 0], TARGET_AB[src, 1]), 0.02, 0.95)
    vigil = rng.beta(VIGIL_AB[src, 0], VIGIL_AB[src, 1])
    react = rng.uniform(REACT_LO[src], REACT_HI[src])
    react = np.maximum(react, target + 0.03)
    base_target, base_vigil = target.copy(), vigil.copy()
    activity = ACTIVITY[src] * rng.lognormal(0.0, 0.5, W)
    beta = rng.uniform(BETA_LO[src], BETA_HI[src])
    idio = IDIO_SD[src]
    dip = DIP_LEVER[src] * rng.uniform(0.5, 1.5, W)
    reform = REFORM[src]
    borrower = rng.random(W) < BORROWER[src]
    wealth = WEALTH_MEDIAN[src] * rng.lognormal(0.0, 1.1, W)
    other_tx_rate = rng.lognormal(np.log(0.25), 1.0, W)

    # --- chains, start days, protocols --------------------------------------------
    chain_p = CHAIN_P[src] * np.where(is_new, 0.6, 1.0)[:, None]
    active = rng.random((W, C)) < chain_p
    none = ~active.any(axis=1)
    active[none, rng.integers(0, C, int(none.sum()))] = True
    age0 = np.where(is_new, rng.integers(1, 90, W), rng.integers(90, T, W))
    s0 = T - age0
    primary = np.array([rng.choice(np.flatnonzero(a)) for a in active])
    start = s0[:, None] + (rng.random((W, C)) * (T - s0)[:, None] * 0.8).astype(int)
    start[np.arange(W), primary] = s0
    start = np.where(active, start, 10 ** 9)
    pre_days = np.where(is_new, rng.integers(0, 30, W), rng.integers(0, 1200, W))
    proto = np.ones((W, C), dtype=np.int64)
    for b in range(1, N_PROTOCOLS):
        proto |= (rng.random((W, C)) < PROTO_P[src][:, None]).astype(np.int64) << b
    proto = np.where(active, proto, 0)
    chain_share = rng.uniform(0.3, 1.0, (W, C))

    # --- state -------------------------------------------------------------------
    units = np.zeros((W, C))
    debt = np.zeros((W, C))
    price = np.ones(W)
    ring = np.ones((W, 7))
    blk_pos = np.zeros(W, dtype=np.int64)
    blk_left = np.zeros(W, dtype=np.int64)
    z = lambda: np.zeros((W, C))  # noqa: E731
    cnt = {k: z() for k in ("borrow", "repay", "deposit", "withdraw", "liq")}
    usd = {k: z() for k in ("borrow", "repay", "deposit", "withdraw")}
    last_liq = np.full((W, C), -10 ** 9)
    rf_sum, rf_max, debt_days = z(), z(), z()
    label = np.zeros(W, dtype=bool)
    future_liq = np.zeros(W, dtype=np.int64)
    future_min_hf = np.full(W, np.inf)
    snapshot = None
    LT = LIQ_THRESHOLD

    def risk(units, debt, p):
        coll = units * p[:, None] * LT
        return np.where(debt > 0, np.divide(debt, coll, out=np.full_like(debt, 10.0), where=coll > 0), 0.0)

    for t in range(T + H):
        if t == T:
            snapshot = _snapshot(T, start, active, proto, cnt, usd, last_liq, rf_sum, rf_max,
                                 debt_days, units, debt, price, other_tx_rate, pre_days, rng, spec)
        # 1. price (block bootstrap of historical returns) and interest
        redraw = blk_left == 0
        blk_pos[redraw] = rng.integers(0, len(rets) - BLOCK_DAYS, int(redraw.sum()))
        blk_left[redraw] = BLOCK_DAYS
        r = beta * rets[blk_pos] + idio * rng.standard_normal(W)
        blk_pos += 1
        blk_left -= 1
        price = price * np.maximum(1.0 + r, 0.05)
        ring[:, t % 7] = price
        dd7 = price / ring[:, (t + 1) % 7] - 1.0 if t >= 7 else np.zeros(W)
        debt *= 1.0 + APR / 365.0
        # slow drift of leverage appetite and attention, plus rare regime changes
        # (a saver starts farming, a degen calms down): history is an imperfect guide
        drift = rng.random(W) < 1.0 / DRIFT_DAYS
        target = np.where(drift, np.clip(base_target * rng.lognormal(0.0, 0.45, W), 0.02, 0.95), target)
        vigil = np.where(drift, np.clip(base_vigil + rng.normal(0.0, 0.2, W), 0.02, 0.98), vigil)
        jump = rng.random(W) < 1.0 / REGIME_DAYS
        base_target = np.where(jump, np.clip(rng.beta(2.0, 2.2, W), 0.02, 0.95), base_target)
        base_vigil = np.where(jump, rng.beta(3.0, 2.0, W), base_vigil)
        target = np.where(jump, base_target, target)
        vigil = np.where(jump, base_vigil, vigil)
        react = np.where(drift | jump, np.clip(np.maximum(react, target + 0.03), 0.0, 0.99), react)
        live = active & (t >= start)
        P = price[:, None]
        u = lambda: rng.random((W, C))  # noqa: E731

        # first day on a chain: initial deposit, maybe an initial borrow
        first = active & (t == start)
        amt = np.where(first, wealth[:, None] * chain_share * rng.lognormal(0, 0.4, (W, C)), 0.0)
        _deposit(first, amt, units, P, cnt, usd)
        want = first & borrower[:, None] & (u() < 0.8)
        _borrow_to(want, target[:, None] * rng.uniform(0.6, 1.0, (W, C)), units, debt, P, cnt, usd)

        # 2. reactions
        rf = risk(units, debt, price)
        react_m = live & (debt > 0) & (rf > react[:, None]) & (u() < vigil[:, None])
        goal = target[:, None] * rng.uniform(0.6, 0.9, (W, C))
        by_repay = u() < 0.6
        _repay_to(react_m & by_repay, goal, units, debt, P, cnt, usd)
        need = np.maximum(debt / (goal * LT) - units * P, 0.0)
        _deposit(react_m & ~by_repay & (need > 0), need, units, P, cnt, usd)
        crash = (dd7 < -0.10)[:, None]
        pre = live & crash & (debt > 0) & (u() < 0.3 * vigil[:, None])
        _repay_frac(pre, rng.uniform(0.3, 0.6, (W, C)), debt, cnt, usd)
        lever = live & crash & borrower[:, None] & (u() < dip[:, None])
        _borrow_to(lever, np.minimum(target[:, None] * rng.uniform(1.0, 1.2, (W, C)), 0.97), units, debt, P, cnt, usd)

        # 3. routine activity
        a = activity[:, None]
        _deposit(live & (u() < 0.5 * a),
                 wealth[:, None] * chain_share * rng.lognormal(-1.0, 0.6, (W, C)), units, P, cnt, usd)
        _borrow_to(live & borrower[:, None] & (u() < 0.6 * a),
                   target[:, None] * rng.uniform(0.85, 1.05, (W, C)), units, debt, P, cnt, usd)
        full = u() < 0.35
        _repay_frac(live & (debt > 0) & (u() < 0.5 * a),
                    np.where(full, 1.0, rng.uniform(0.1, 0.6, (W, C))), debt, cnt, usd)
        wd = live & (units > 0) & (u() < 0.3 * a)
        coll = units * P
        free = np.where(debt > 0, np.maximum(coll - debt / (target[:, None] * LT), 0.0), coll)
        frac = np.where(debt > 0, rng.uniform(0.3, 1.0, (W, C)), rng.uniform(0.2, 1.0, (W, C)))
        take = np.where(wd & (free > 1.0), free * frac, 0.0)
        units -= take / P
        cnt["withdraw"] += take > 0
        usd["withdraw"] += take

        # 4. liquidation
        rf = risk(units, debt, price)
        liq = live & (debt > 0) & (rf >= 1.0)
        if liq.any():
            repay = np.where(liq, LIQ_CLOSE_FACTOR * debt, 0.0)
            seize = repay * (1 + LIQ_BONUS) / P
            all_gone = seize >= units
            repay = np.where(all_gone, units * P / (1 + LIQ_BONUS), repay)
            units -= np.where(liq, np.minimum(seize, units), 0.0)
            debt -= repay
            debt[liq & all_gone] = 0.0  # residual bad debt written off
            cnt["liq"] += liq
            last_liq = np.where(liq, t, last_liq)
            ref = liq.any(axis=1) & (rng.random(W) < reform)
            target = np.where(ref, target * rng.uniform(0.55, 0.8, W), target)
            vigil = np.where(ref, vigil + (1 - vigil) * rng.uniform(0.3, 0.7, W), vigil)
            base_target = np.where(ref, np.minimum(base_target, target), base_target)
            base_vigil = np.where(ref, np.maximum(base_vigil, vigil), base_vigil)
            react = np.where(ref, np.maximum(target + 0.03, react * 0.9), react)
            rf = risk(units, debt, price)

        # 5. end-of-day sample
        has_debt = live & (debt > 1e-9)
        if t < T:
            debt_days += has_debt
            rf_c = np.where(has_debt, np.minimum(rf, 2.0), 0.0)
            rf_sum += rf_c
            rf_max = np.maximum(rf_max, rf_c)
        else:
            hf_min = np.where(has_debt, 1.0 / np.maximum(rf, 1e-12), np.inf).min(axis=1)
            future_min_hf = np.minimum(future_min_hf, hf_min)
            future_liq += liq.sum(axis=1)
            label |= liq.any(axis=1) | (hf_min < LABEL_HF)

    raw = F.aggregate(snapshot, spec)
    return {
        "wallet_id": ids,
        "archetype": arch.astype(np.int8),
        "archetype_names": np.array(ARCHETYPES),
        "feature_names": np.array(F.feature_names(spec)),
        "raw": raw,
        "x": F.transform(raw, spec).astype(np.float32),
        "label": label.astype(np.int8),
        "future_liquidations": future_liq,
        "future_min_hf": np.minimum(future_min_hf, 1e6),
        "per_chain": snapshot,
        "seed": np.int64(seed),
    }


def _deposit(mask, amount, units, P, cnt, usd):
    amount = np.where(mask, amount, 0.0)
    units += amount / P
    cnt["deposit"] += amount > 0
    usd["deposit"] += amount


def _borrow_to(mask, rf_goal, units, debt, P, cnt, usd):
    room = rf_goal * units * P * LIQ_THRESHOLD - debt
    amount = np.where(mask & (room > 10.0), room, 0.0)
    debt += amount
    cnt["borrow"] += amount > 0
    usd["borrow"] += amount


def _repay_to(mask, rf_goal, units, debt, P, cnt, usd):
    excess = debt - rf_goal * units * P * LIQ_THRESHOLD
    amount = np.where(mask & (excess > 0), np.minimum(excess, debt), 0.0)
    debt -= amount
    cnt["repay"] += amount > 0
    usd["repay"] += amount


def _repay_frac(mask, frac, debt, cnt, usd):
    amount = np.where(mask & (debt > 0), frac * debt, 0.0)
    debt -= amount
    debt[mask & (frac >= 1.0)] = 0.0
    cnt["repay"] += amount > 0
    usd["repay"] += amount


def _snapshot(T, start, active, proto, cnt, usd, last_liq, rf_sum, rf_max, debt_days,
              units, debt, price, other_tx_rate, pre_days, rng, spec) -> dict:
    """Per-chain raw feature values at the snapshot (end of day T-1), names as features.json."""
    pool_events = cnt["borrow"] + cnt["repay"] + cnt["deposit"] + cnt["withdraw"]
    on = active & (start < T)
    age = np.where(on, T - start, 0).astype(np.float64)
    # the nonce counts the wallet's own pool transactions plus its other transactions
    other = rng.poisson(other_tx_rate[:, None] * (age + pre_days[:, None]))
    coll = units * price[:, None]
    cur_rf = np.where(debt > 1e-9, np.divide(debt, coll * LIQ_THRESHOLD, out=np.full_like(debt, 2.0),
                                              where=coll > 0), 0.0)
    never = empty = F.empty_values(spec)["days_since_last_liquidation"]
    per_chain = {
        "wallet_age_days": age,
        "tx_count": np.where(on, pool_events + other, 0).astype(np.float64),
        "borrow_count": cnt["borrow"].copy(), "borrow_usd": usd["borrow"].copy(),
        "repay_count": cnt["repay"].copy(), "repay_usd": usd["repay"].copy(),
        "deposit_count": cnt["deposit"].copy(), "deposit_usd": usd["deposit"].copy(),
        "withdraw_count": cnt["withdraw"].copy(), "withdraw_usd": usd["withdraw"].copy(),
        "liquidation_count": cnt["liq"].copy(),
        "days_since_last_liquidation": np.where(last_liq >= 0, np.minimum(T - last_liq, never), empty).astype(np.float64),
        "days_with_debt": debt_days.copy(),
        "avg_risk_factor": np.divide(rf_sum, debt_days, out=np.zeros_like(rf_sum), where=debt_days > 0),
        "max_risk_factor": rf_max.copy(),
        "current_risk_factor": np.minimum(cur_rf, 2.0),
        "collateral_usd": np.where(on, coll, 0.0),
        "debt_usd": np.where(on, debt, 0.0),
        "protocols_used": np.where(on, proto, 0),
        "chains_used": on.astype(np.float64),
    }
    return per_chain


def save_dataset(data: dict, out: Path) -> None:
    """Write the dataset as a compressed .npz (per-chain values left out)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: v for k, v in data.items() if k != "per_chain"}
    np.savez_compressed(out, **arrays)


def golden_vectors(data: dict, spec: dict, n: int = 16) -> dict:
    """A small fixture for the TypeScript indexer: per-chain raw -> aggregated -> transformed."""
    ids = spec["protocols"]["ids"]
    rows = []
    # a spread of wallets: the first n/2, then ones with liquidations and several chains
    pc = data["per_chain"]
    multi = np.flatnonzero((pc["chains_used"].sum(axis=1) >= 2) & (pc["liquidation_count"].sum(axis=1) > 0))
    pick = list(range(n // 2)) + [int(i) for i in multi[: n - n // 2]]
    for i in pick:
        chains = []
        for c, chain_id in enumerate(CHAINS):
            vals = {}
            for name in F.feature_names(spec):
                v = pc[name][i, c]
                if name == "protocols_used":
                    vals[name] = [ids[b] for b in range(len(ids)) if int(v) >> b & 1]
                else:
                    vals[name] = float(v)
            chains.append({"chainId": chain_id, "raw": vals})
        rows.append({
            "wallet": str(data["wallet_id"][i]),
            "perChain": chains,
            "raw": [float(v) for v in data["raw"][i]],
            "transformed": [float(v) for v in F.transform(data["raw"][i], spec)],
        })
    return {"description": "Golden feature vectors for cross-checking a features.json implementation: "
                           "aggregate(perChain) must equal raw and transform(raw) must equal transformed "
                           "(float64; compare with a tolerance of 1e-9 relative).",
            "featureNames": F.feature_names(spec), "wallets": rows}


def main(argv: list[str]) -> int:
    p = F.OneLineParser(prog="simulate.py", description="Simulate the credit data set.")
    p.add_argument("--wallets", type=F.positive_int, default=20000, help="number of wallets (default 20000)")
    p.add_argument("--seed", type=F.non_negative_int, default=7, help="RNG seed (default 7)")
    p.add_argument("--out", type=Path, default=HERE / "out" / "dataset.npz", help="output .npz path")
    p.add_argument("--prices", type=Path, default=DEFAULT_CSV, help="ETH/USD daily price CSV")
    p.add_argument("--golden", type=Path, default=None, help="also write golden feature vectors (JSON) here")
    args = p.parse_args(argv)
    if args.out.suffix != ".npz":
        p.error(f"argument --out: must end in .npz: {str(args.out)!r}")
    t0 = time.perf_counter()
    try:
        spec = F.load_spec()
        data = simulate(args.wallets, args.seed, args.prices, spec)
    except (SimulationError, F.SpecError) as e:
        sys.stderr.write(f"simulate.py: error: {e}\n")
        return 2
    save_dataset(data, args.out)
    if args.golden:
        args.golden.parent.mkdir(parents=True, exist_ok=True)
        args.golden.write_text(json.dumps(golden_vectors(data, spec), indent=1) + "\n")
    print(f"simulated {args.wallets} wallets (seed {args.seed}): positive rate {data['label'].mean():.3f}, "
          f"wrote {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
