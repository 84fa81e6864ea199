// The real ETH/USD daily series the credit model's simulator also uses (CoinGecko via
// models/credit/data, licence kept there): the history the demo wallets live through, and the
// crash the keeper has to handle.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../toolchain/paths.js";

export const ETH_USD_CSV = join(ROOT, "models", "credit", "data", "eth_usd_daily_2023-01_2025-10.csv");

export interface DailyClose {
  readonly date: string;
  readonly price: number;
}

export function dailyCloses(file: string = ETH_USD_CSV): DailyClose[] {
  const [header, ...rows] = readFileSync(file, "utf8").trim().split("\n");
  if (!header?.startsWith("date,price")) throw new Error(`${file}: expected a "date,price,..." header`);
  return rows.map((row, i) => {
    const [date, price] = row.split(",");
    const p = Number(price);
    if (!date || !Number.isFinite(p) || p <= 0) throw new Error(`${file}: line ${i + 2} has no valid price`);
    return { date, price: p };
  });
}

/** The window of `days` daily closes (days + 1 prices) with the largest fall from first to lowest. */
export function worstDrawdown(closes: readonly DailyClose[], days: number): DailyClose[] {
  let best = { start: 0, fall: 0 };
  for (let s = 0; s + days < closes.length; s++) {
    const low = Math.min(...closes.slice(s, s + days + 1).map((c) => c.price));
    const fall = 1 - low / closes[s]!.price;
    if (fall > best.fall) best = { start: s, fall };
  }
  return closes.slice(best.start, best.start + days + 1);
}
