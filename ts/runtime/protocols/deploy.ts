// The other lending protocols on one chain, for the deployment record: on a local non-forked
// anvil, Aave v3 and Morpho Blue deployed from their npm packages onto zkrisk's mock tokens
// (or reused when the recorded ones are still live); elsewhere, the real addresses pinned in
// the network's config.
import type { PublicClient } from "viem";
import type { Deployment, ProtocolsDeployment } from "../deploy/deployment.js";
import { checkAaveV3, deployAaveV3 } from "./aave-v3/deploy.js";
import { configuredProtocols } from "./config.js";
import { checkMorphoBlue, deployMorphoBlue } from "./morpho-blue/deploy.js";
import type { Signer } from "./tx.js";

function localTokens(d: Deployment) {
  const c = d.contracts;
  return { loanToken: c.loanToken.address, collateralToken: c.collateralToken.address, priceFeed: c.priceFeed.address, oracle: c.oracle.address };
}

/** Why `d.protocols` is not live on a local chain (undefined when every recorded protocol is). */
export async function checkLocalProtocols(client: PublicClient, d: Deployment): Promise<string | undefined> {
  const p = d.protocols;
  if (!p?.aaveV3 || !p.morphoBlue) return "Aave v3 and Morpho Blue are not deployed";
  const t = localTokens(d);
  return (await checkMorphoBlue(client, p.morphoBlue, t)) ?? (await checkAaveV3(client, p.aaveV3, t));
}

/** Deploy Morpho Blue then Aave v3 on a local chain, on `d`'s mock tokens. */
export async function deployLocalProtocols(s: Signer, d: Deployment, log: (line: string) => void): Promise<{ protocols: ProtocolsDeployment; transactions: number }> {
  const t = localTokens(d);
  const morpho = await deployMorphoBlue(s, t, log);
  log(`Morpho Blue ${morpho.record.morpho} with market ${morpho.record.local?.market.id}`);
  const aave = await deployAaveV3(s, t, log);
  log(`Aave v3 Pool ${aave.record.pool} with reserves ${t.loanToken}, ${t.collateralToken}`);
  return { protocols: { morphoBlue: morpho.record, aaveV3: aave.record }, transactions: morpho.transactions + aave.transactions };
}


export interface WithProtocolsOptions {
  readonly signer: Signer;
  /** The deploy config: its pinned protocols are used on a real network or a fork of one. */
  readonly configPath: string;
  /** On a local chain: deploy the protocols when they are not recorded live (false: leave them out). */
  readonly deploy: boolean;
  readonly log: (line: string) => void;
}

/**
 * `d` with its `protocols`: on a local chain (mocks) the recorded ones when live, else freshly
 * deployed (or none when `deploy` is false); on a network config, the config's pinned addresses.
 */
export async function withProtocols(d: Deployment, o: WithProtocolsOptions): Promise<{ deployment: Deployment; transactions: number; changed: boolean }> {
  const { protocols: recorded, ...rest } = d;
  if (!d.mocks) {
    const pinned = configuredProtocols(o.configPath);
    const changed = JSON.stringify(pinned) !== JSON.stringify(recorded);
    return { deployment: pinned ? { ...rest, protocols: pinned } : rest, transactions: 0, changed };
  }
  const problem = recorded ? await checkLocalProtocols(o.signer.client, d) : "Aave v3 and Morpho Blue are not deployed";
  if (!problem) return { deployment: d, transactions: 0, changed: false };
  if (!o.deploy) return { deployment: rest, transactions: 0, changed: recorded !== undefined };
  if (recorded) o.log(`redeploying Aave v3 and Morpho Blue: ${problem}`);
  const started = performance.now();
  const { protocols, transactions } = await deployLocalProtocols(o.signer, d, o.log);
  o.log(`deployed Aave v3 and Morpho Blue in ${transactions} transactions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { deployment: { ...rest, protocols }, transactions, changed: true };
}
