// `zkrisk index`: index every deployed chain into the runtime's database, build each wallet's
// cross-chain features, commit to them (private store) and post the commitments on every chain.
import type { Address } from "viem";
import { attestWallets, readInputScale, type AttestChain, type Attestation } from "../attest/attestor.js";
import { connectChains, signer, type ConnectOptions } from "../chains/connect.js";
import { loadFeatureSpec, type FeatureSpec } from "./features.js";
import type { Database } from "../db/engine.js";
import { indexChain, walletFeatures, type ChainIndex, type ChainTarget, type IndexHooks, type WalletFeatures } from "./indexer.js";

/** Which chains, deployments and RPC URLs (ConnectOptions), plus the indexer's and attestor's options. */
export interface RunIndexOptions extends ConnectOptions {
  /** The runtime's database: index, feature snapshots and private store (ts/runtime/db/). */
  readonly db: Database;
  readonly confirmations?: number;
  readonly chunkSize?: number;
  /** Only these wallets (each must have pool events on an indexed chain). */
  readonly wallets?: readonly Address[];
  /** Post the commitments (default true); false only indexes and builds features. */
  readonly post?: boolean;
  readonly spec?: FeatureSpec;
  readonly log?: (line: string) => void;
  /** Crash-test seams (indexer.ts IndexHooks). */
  readonly hooks?: IndexHooks;
}

export interface RunIndexResult {
  readonly chains: readonly ChainIndex[];
  readonly wallets: readonly WalletFeatures[];
  readonly attestations: readonly Attestation[];
}

export async function runIndex(opts: RunIndexOptions): Promise<RunIndexResult> {
  const log = opts.log ?? (() => {});
  const spec = opts.spec ?? loadFeatureSpec();
  const { db } = opts;
  const connected = await connectChains(opts);

  const indexed = await Promise.all(
    connected.map((c) => {
      const target: ChainTarget = {
        chainId: c.chain.chainId,
        client: c.client,
        lending: c.deployment.contracts.lending.address,
        startBlock: c.deployment.deployBlock,
        protocols: c.deployment.protocols,
        origin: `the deployment record of chain ${c.chain.chainId}`,
      };
      return indexChain(target, {
        db,
        log,
        ...(opts.hooks ? { hooks: opts.hooks } : {}),
        ...(opts.confirmations !== undefined ? { confirmations: opts.confirmations } : {}),
        ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
      });
    }),
  );
  const wallets = await walletFeatures(spec, indexed, db, { ...(opts.wallets ? { only: opts.wallets } : {}), ...(opts.hooks ? { hooks: opts.hooks } : {}) });
  if (opts.post === false) return { chains: indexed, wallets, attestations: [] };

  const attestChains: AttestChain[] = connected.map((c) => ({
    chainId: c.chain.chainId,
    publicClient: c.client,
    walletClient: signer(c, "attestor", opts.env),
    registry: c.deployment.contracts.registry.address,
  }));
  const attestations = await attestWallets(wallets, attestChains, {
    db,
    inputScale: readInputScale(),
    salt: { saltLength: spec.saltLength, saltBits: spec.saltBits, encodingScale: spec.encodingScale },
    log,
  });
  return { chains: indexed, wallets, attestations };
}
