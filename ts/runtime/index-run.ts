// `zkrisk index`: index every deployed chain, build each wallet's cross-chain features, commit
// to them (private store) and post the commitments on every chain.
import { join } from "node:path";
import type { Address } from "viem";
import { attestWallets, readInputScale, type AttestChain, type Attestation } from "./attestor.js";
import { connectChains, signer, type ConnectOptions } from "./connect.js";
import { loadFeatureSpec, type FeatureSpec } from "./features.js";
import { indexChain, walletFeatures, type ChainIndex, type ChainTarget, type WalletFeatures } from "./indexer.js";
import { DEFAULT_STORE_DIR } from "./store.js";
import { ROOT } from "../toolchain/paths.js";

export const DEFAULT_STATE_DIR = join(ROOT, ".zkrisk", "index");

/** Which chains, deployments and RPC URLs (ConnectOptions), plus the indexer's and attestor's options. */
export interface RunIndexOptions extends ConnectOptions {
  readonly storeDir?: string;
  readonly stateDir?: string;
  readonly confirmations?: number;
  readonly chunkSize?: number;
  /** Only these wallets (each must have pool events on an indexed chain). */
  readonly wallets?: readonly Address[];
  /** Post the commitments (default true); false only indexes and builds features. */
  readonly post?: boolean;
  readonly spec?: FeatureSpec;
  readonly log?: (line: string) => void;
}

export interface RunIndexResult {
  readonly chains: readonly ChainIndex[];
  readonly wallets: readonly WalletFeatures[];
  readonly attestations: readonly Attestation[];
}

export async function runIndex(opts: RunIndexOptions = {}): Promise<RunIndexResult> {
  const log = opts.log ?? (() => {});
  const spec = opts.spec ?? loadFeatureSpec();
  const stateDir = opts.stateDir ?? DEFAULT_STATE_DIR;
  const connected = await connectChains(opts);

  const indexed = await Promise.all(
    connected.map((c) => {
      const target: ChainTarget = { chainId: c.chain.chainId, client: c.client, lending: c.deployment.contracts.lending.address, startBlock: c.deployment.deployBlock };
      return indexChain(target, {
        stateDir,
        log,
        ...(opts.confirmations !== undefined ? { confirmations: opts.confirmations } : {}),
        ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
      });
    }),
  );
  const wallets = await walletFeatures(spec, indexed, stateDir, opts.wallets);
  if (opts.post === false) return { chains: indexed, wallets, attestations: [] };

  const attestChains: AttestChain[] = connected.map((c) => ({
    chainId: c.chain.chainId,
    publicClient: c.client,
    walletClient: signer(c, "attestor", opts.env),
    registry: c.deployment.contracts.registry.address,
  }));
  const attestations = await attestWallets(wallets, attestChains, {
    storeDir: opts.storeDir ?? DEFAULT_STORE_DIR,
    inputScale: readInputScale(),
    salt: { saltLength: spec.saltLength, saltBits: spec.saltBits, encodingScale: spec.encodingScale },
    log,
  });
  return { chains: indexed, wallets, attestations };
}
