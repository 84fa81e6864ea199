// `npm run demo`: the whole protocol on three local chains in a few minutes. Starts anvils
// with the real chain ids, deploys zkrisk beside real Aave v3 and Morpho Blue, plays a year of
// lending history for four wallets across the three protocols, indexes it, proves and attests
// each wallet's tier on every chain, lets them borrow at their tier's terms, replays the worst
// crash of the real ETH series block by block with the keeper running, and prints what
// happened to each position and where each wallet's history came from.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Address } from "viem";
import { getModel } from "../pipeline/models.js";
import { openProverPool, type ProverBackend } from "../prover/prover.js";
import { attestationRegistryAbi, zkRiskLendingAbi } from "../generated/abi.generated.js";
import { demoAccount, roleAccount } from "../runtime/chains/accounts.js";
import { CHAINS, startLocalChains, stopAll, type Anvil } from "../runtime/chains/chains.js";
import { connectChains, signer, type ConnectedChain } from "../runtime/chains/connect.js";
import { openDatabase, type Database } from "../runtime/db/engine.js";
import { deployAll } from "../runtime/deploy/deploy.js";
import { runIndex } from "../runtime/indexer/index-run.js";
import { fundKeeper, setAutomine, setIntervalMining, startKeeper, type LiquidationStat } from "../runtime/keeper/keeper.js";
import { revertName } from "../runtime/chains/errors.js";
import { proveAndAttest } from "../runtime/attest/submit.js";
import { ROOT } from "../toolchain/paths.js";
import { stepReporter } from "../toolchain/progress.js";
import { HISTORY_STEPS, PERSONAS, playHistory } from "./history.js";
import { Market } from "./market.js";
import { HistoryLedger, OtherProtocols } from "./protocols.js";
import { dailyCloses, worstDrawdown } from "./prices.js";

export const DEMO_DIR = join(ROOT, ".zkrisk", "demo");
/** Days of the worst drawdown replayed, one day per block. */
export const CRASH_DAYS = 10;
const TIER_NAMES = ["low", "medium", "high"];
const BUCKET_NAMES = ["low", "medium", "high", "unverified"];
/** The LTV every wallet borrows to after its attestation (capped by its tier's max LTV). */
const SAME_LTV = 0.62;

export interface DemoRow {
  wallet: Address;
  persona: string;
  chainId: number;
  tier: string;
  /** The proven claim read from the registry: "yes" never liquidated, "no", "-" unverified. */
  neverLiquidated: string;
  aprPct: number;
  maxLtvPct: number;
  borrowedUsd: number;
  healthAfter: number | null;
  liquidatedAtBlock: number | null;
  delayBlocks: number | null;
  /** Where the wallet's history came from: protocol@chains (the operator's view; the chain sees only commitments and tiers). */
  history: string;
}

export interface DemoOptions {
  readonly dir?: string;
  readonly backend?: ProverBackend;
  readonly log?: (line: string) => void;
}

const pct = (wad: bigint) => Number((wad * 10_000n) / 10n ** 18n) / 100;

export async function runDemo(opts: DemoOptions = {}): Promise<{ rows: DemoRow[]; crash: { from: string; to: string; fallPct: number } }> {
  const dir = opts.dir ?? DEMO_DIR;
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  rmSync(dir, { recursive: true, force: true });
  const deploymentsDir = join(dir, "deployments");
  mkdirSync(deploymentsDir, { recursive: true });
  const steps = stepReporter(8, log);
  let anvils: Anvil[] = [];
  let db: Database | undefined;
  try {
    anvils = await steps.step("start anvil: Ethereum (1), Polygon (137), Arbitrum (42161)", () => startLocalChains(CHAINS));
    const rpcUrls = Object.fromEntries(anvils.map((a) => [a.chainId, a.rpcUrl]));
    await steps.step("deploy the protocol on the three chains", () =>
      deployAll(anvils.map((a, i) => ({ chain: CHAINS[i]!, rpcUrl: a.rpcUrl })), { deploymentsDir, log: () => undefined }),
    );
    const chains = await connectChains({ deploymentsDir, rpcUrls });
    const markets = chains.map((c) => new Market(c, signer(c, "deployer")));
    const ledger = new HistoryLedger();
    const others = chains.map((c) => new OtherProtocols(c, { wallet: signer(c, "deployer"), client: c.client }, ledger));
    const wallets = PERSONAS.map((_, i) => demoAccount(i));
    const closes = dailyCloses();

    await steps.step(`play ${HISTORY_STEPS} months of lending history on zkrisk, Aave v3 and Morpho Blue (real ETH prices from ${closes[0]!.date})`, async () => {
      for (const m of markets) await m.supplyLiquidity(2_000_000);
      for (const o of others) await o.supplyLiquidity(1_000_000);
      await playHistory(markets, others, wallets, roleAccount("deployer", { local: true }), closes, ledger, log);
    });

    // The demo's own embedded database (index, features, private store), wiped with its folder.
    const demoDb = (db = await openDatabase(join(dir, "db")));
    const indexed = await steps.step("index zkrisk's, Aave v3's and Morpho Blue's events, build features, post salted commitments", () =>
      runIndex({ deploymentsDir, rpcUrls, db: demoDb, confirmations: 0, log: (l) => log(`      ${l}`) }),
    );
    // The operator's view: where the indexer found each wallet's history. It must be what the demo did.
    const seen = HistoryLedger.fromFeatures(indexed.wallets);
    for (const w of wallets) {
      const [did, found] = [ledger.describe(w.address), seen.describe(w.address)];
      log(`      ${w.address.slice(0, 8)}… history indexed from ${found}`);
      if (did !== found) throw new Error(`the indexer found ${w.address}'s history on ${found || "nothing"}, but the demo made it on ${did}`);
    }

    await steps.step("prove every wallet's tier in one round (one proof), attest the round on every chain", async () => {
      const provers = openProverPool(getModel("credit"), { backend: opts.backend ?? "native" });
      try {
        const targets = chains.map((c) => ({ chainId: c.chain.chainId, publicClient: c.client, walletClient: signer(c, "attestor"), registry: c.deployment.contracts.registry.address }));
        const results = await proveAndAttest(provers, wallets.map((w) => w.address), targets, { db: demoDb, modelId: chains[0]!.deployment.modelId, log: (l) => log(`      ${l}`) });
        const failed = results.flatMap((r) => r.chains.filter((c) => c.status === "failed" || c.status === "skipped"));
        if (failed.length) throw new Error(`attestation failed: ${failed.map((f) => ("reason" in f ? f.reason : f.status)).join("; ")}`);
      } finally {
        await provers.close();
      }
    });

    const rows = await steps.step(`borrow at each tier's terms: cap enforced, then ${SAME_LTV * 100}% LTV (or the cap)`, () => borrowAtTier(markets, wallets.map((w) => w.address), seen, log));

    const window = worstDrawdown(closes, CRASH_DAYS);
    const fallPct = (1 - Math.min(...window.map((w) => w.price)) / window[0]!.price) * 100;
    const stats = await steps.step(
      `replay the ${window[0]!.date} -> ${window.at(-1)!.date} crash (-${fallPct.toFixed(0)}%), one day per 1 s block, keeper running`,
      () => replayCrash(chains, markets, window.map((w) => w.price / window[0]!.price), demoDb, log),
    );

    await steps.step("read the final positions", async () => {
      for (const r of rows) {
        const m = markets.find((x) => x.c.chain.chainId === r.chainId)!;
        const s = stats.find((x) => x.chainId === r.chainId && x.borrower.toLowerCase() === r.wallet.toLowerCase());
        r.liquidatedAtBlock = s ? s.liquidatedBlock : null;
        r.delayBlocks = s ? s.delayBlocks : null;
        r.healthAfter = await health(m, r.wallet);
      }
    });
    return { rows, crash: { from: window[0]!.date, to: window.at(-1)!.date, fallPct } };
  } finally {
    await db?.close();
    await stopAll(anvils);
  }
}

/** Collateral value x liquidation LTV / debt: below 1 means liquidatable. Null without debt (under one cent). */
async function health(m: Market, wallet: Address): Promise<number | null> {
  const { collateralValue, debt } = await m.state(wallet);
  if (debt < 10_000n) return null;
  const lltv = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "liquidationLtvOf", args: [wallet] });
  return Number((collateralValue * lltv * 1000n) / (debt * 10n ** 18n)) / 1000;
}

async function borrowAtTier(markets: readonly Market[], wallets: readonly Address[], ledger: HistoryLedger, log: (l: string) => void): Promise<DemoRow[]> {
  const rows: DemoRow[] = [];
  for (const [i, p] of PERSONAS.entries()) {
    for (const m of markets.filter((x) => p.chains.includes(x.c.chain.chainId))) {
      const wallet = wallets[i]!;
      const registry = m.c.deployment.contracts.registry.address;
      const [tier, , verified] = await m.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "tierOf", args: [wallet] });
      const [never, , claimed] = await m.client.readContract({ address: registry, abi: attestationRegistryAbi, functionName: "neverLiquidatedOf", args: [wallet] });
      const bucket = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "bucketFor", args: [wallet] });
      const params = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "tierParams", args: [bucket] });
      const maxLtv = pct(params.maxLtv) / 100;
      // The cap at work: one step beyond the tier's max LTV is refused by the market.
      const refused = await m.borrowTo(demoAccount(i), maxLtv + 0.02).then(
        () => "ACCEPTED (cap not enforced!)",
        (e: unknown) => `refused (${revertName(e) ?? "reverted"})`,
      );
      // Then every wallet borrows to the same LTV (or its cap): the tiers differ in price and in
      // how much of a fall the position survives.
      const borrowed = await m.borrowTo(demoAccount(i), Math.min(maxLtv * 0.97, SAME_LTV));
      const apr = await m.client.readContract({ address: m.lending, abi: zkRiskLendingAbi, functionName: "borrowRate", args: [bucket] });
      const row: DemoRow = {
        wallet,
        persona: p.name,
        chainId: m.c.chain.chainId,
        tier: verified ? TIER_NAMES[tier] ?? String(tier) : "unverified",
        neverLiquidated: claimed ? (never ? "yes" : "no") : "-",
        aprPct: Number((apr * 365n * 86_400n * 10_000n) / 10n ** 18n) / 100,
        maxLtvPct: pct(params.maxLtv),
        borrowedUsd: Number(borrowed) / 1e6,
        healthAfter: null,
        liquidatedAtBlock: null,
        delayBlocks: null,
        history: ledger.describe(wallet),
      };
      log(`      ${p.name} on ${m.c.chain.chainId}: ${BUCKET_NAMES[bucket]} bucket, APR ${row.aprPct}%, max LTV ${row.maxLtvPct}% (a loan to ${row.maxLtvPct + 2}%: ${refused}), borrowed $${row.borrowedUsd.toFixed(0)}`);
      rows.push(row);
    }
  }
  return rows;
}

/** Switch to 1 s blocks, start the keeper, move every chain's feed along `path` one block per day. */
async function replayCrash(chains: readonly ConnectedChain[], markets: readonly Market[], path: readonly number[], db: Database, log: (l: string) => void): Promise<LiquidationStat[]> {
  const keeperChains = chains.map((c) => ({ chain: c.chain, rpcUrl: c.rpcUrl, deployment: c.deployment }));
  for (const c of keeperChains) await fundKeeper(c);
  const keeper = startKeeper({ chains: keeperChains, db, pollMs: 100, log: (l: string) => log(`      keeper: ${l}`) });
  try {
    await keeper.ready;
    const start = await Promise.all(markets.map((m) => m.oraclePrice().then((p) => Number(p) / 1e24)));
    await Promise.all(markets.map((m) => setIntervalMining(m.client, 1)));
    for (const [day, ratio] of path.entries()) {
      await Promise.all(markets.map((m, i) => m.setPrice(start[i]! * ratio)));
      log(`      day ${day}: ETH x${ratio.toFixed(3)}`);
    }
    await new Promise((r) => setTimeout(r, 4_000)); // a few more blocks for liquidations in flight
  } finally {
    await keeper.stop();
    await Promise.all(markets.map((m) => setAutomine(m.client)));
  }
  return keeper.stats();
}

export function renderTable(rows: readonly DemoRow[]): string {
  const head = ["wallet", "persona", "chain", "tier", "never liq.", "APR %", "max LTV %", "borrowed $", "health", "liquidated at", "delay (blocks)", "history from (protocol@chains)"];
  const body = rows.map((r) => [
    `${r.wallet.slice(0, 8)}…`,
    r.persona,
    String(r.chainId),
    r.tier,
    r.neverLiquidated,
    r.aprPct.toFixed(2),
    r.maxLtvPct.toFixed(0),
    r.borrowedUsd.toFixed(0),
    r.healthAfter === null ? "no debt" : r.healthAfter.toFixed(3),
    r.liquidatedAtBlock === null ? "-" : String(r.liquidatedAtBlock),
    r.delayBlocks === null ? "-" : String(r.delayBlocks),
    r.history,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
