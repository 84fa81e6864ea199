// How the runtime describes failures in one line: a contract revert by its error name, any
// viem or JS error by its short message, an RPC endpoint by its host only (URLs often carry
// API keys).
import { BaseError, ContractFunctionRevertedError } from "viem";

/** The custom error (or reason) of a contract revert, or undefined when `e` is not a revert (an RPC failure). */
export function revertName(e: unknown): string | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const revert = e.walk((x) => x instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  return revert.data?.errorName ?? revert.reason ?? revert.signature ?? "revert without data";
}

/** The first line of an error's short message. */
export const shortError = (e: unknown): string =>
  (e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** An RPC URL without credentials or path. */
export function hostOf(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).host;
  } catch {
    return "(unparsable URL)";
  }
}
