// The schema, as versioned migrations applied in order on start, all pending ones in one
// transaction, recorded in schema_migrations (version, name, checksum of its SQL). A migration is
// never edited once released: a change is a new version. Two processes starting at once on one
// PostgreSQL server serialise on an advisory lock.
//
// Conventions: events are keyed by what makes them unique on chain (chain_id, block_number,
// log_index); uint256 amounts are numeric(78,0), never floats; addresses and hashes are
// lower-case 0x hex text; USD columns are derived (recomputable from the exact ones).
import { createHash } from "node:crypto";
import type { Database } from "./engine.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const V1 = `
-- Indexer: how far each chain is indexed, for which pool deployment.
CREATE TABLE index_cursors (
  chain_id        integer PRIMARY KEY,
  pool_address    text    NOT NULL,            -- the ZkRiskLending contract indexed
  start_block     bigint  NOT NULL,            -- its deployment block (first that can hold events)
  last_block      bigint  NOT NULL,            -- last block indexed (start_block - 1 before any)
  last_block_hash text,                        -- its hash (NULL before the first page)
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Recent page ends, to find the common ancestor after a reorg.
CREATE TABLE index_checkpoints (
  chain_id     integer NOT NULL REFERENCES index_cursors (chain_id) ON DELETE CASCADE,
  block_number bigint  NOT NULL,
  block_hash   text    NOT NULL,
  PRIMARY KEY (chain_id, block_number)
);

-- One row per pool event, attributed to the wallet whose position it changes.
CREATE TABLE pool_events (
  chain_id         integer NOT NULL,
  block_number     bigint  NOT NULL,
  log_index        integer NOT NULL,
  tx_hash          text    NOT NULL,
  block_timestamp  bigint  NOT NULL,           -- unix seconds
  protocol         text    NOT NULL,           -- features.json protocol id ('zkrisk')
  pool_address     text    NOT NULL,
  kind             text    NOT NULL CHECK (kind IN ('supply', 'withdraw_supply', 'deposit', 'withdraw', 'borrow', 'repay', 'liquidation')),
  wallet           text    NOT NULL,
  assets           numeric(78,0) NOT NULL,     -- token base units: collateral for deposit/withdraw, else the loan token
  oracle_price     numeric(78,0),              -- IOracle price at the block (36 decimals), collateral events only
  value_loan_units numeric(78,0) NOT NULL,     -- value in loan-token base units (assets * oracle_price / 1e36 for collateral)
  usd              double precision NOT NULL,  -- derived: value_loan_units / 10^(loan token decimals)
  PRIMARY KEY (chain_id, block_number, log_index)
);
CREATE INDEX pool_events_by_wallet ON pool_events (chain_id, wallet, block_number, log_index);
CREATE INDEX pool_events_by_kind ON pool_events (chain_id, kind, block_number);

-- The block current at 00:00 UTC of a day (a read at past blocks, cached).
CREATE TABLE day_blocks (
  chain_id     integer NOT NULL,
  day          integer NOT NULL,               -- unix day (seconds / 86400)
  block_number bigint  NOT NULL,               -- last block with timestamp <= the day's 00:00 UTC
  PRIMARY KEY (chain_id, day)
);

-- A wallet's position and the oracle price at a day block (the daily risk samples' reads).
CREATE TABLE daily_risk_samples (
  chain_id     integer NOT NULL,
  wallet       text    NOT NULL,
  day          integer NOT NULL,
  block_number bigint  NOT NULL,
  collateral   numeric(78,0) NOT NULL,         -- collateral base units
  debt         numeric(78,0) NOT NULL,         -- loan-token base units (as of the pool's last accrual)
  oracle_price numeric(78,0) NOT NULL,
  PRIMARY KEY (chain_id, wallet, day)
);

-- Each wallet's feature vector as computed at a set of chain snapshots.
CREATE TABLE wallet_feature_snapshots (
  wallet          text  NOT NULL,
  snapshot_key    text  NOT NULL,              -- '<chainId>:<block>,...' ascending by chain id
  snapshot_blocks jsonb NOT NULL,              -- {"<chainId>": "<block>"}
  per_chain       jsonb NOT NULL,              -- [{chainId, raw: {feature: value}}]
  raw_aggregate   jsonb NOT NULL,              -- aggregated raw vector (features.json order)
  features        jsonb NOT NULL,              -- transformed vector: the model's input without salt
  computed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (wallet, snapshot_key)
);

-- PRIVATE: the features and salt behind each commitment the attestor made. Whoever reads
-- these rows can open the commitment: the role that reads them is the attestor's and prover's.
CREATE TABLE private_records (
  wallet          text  NOT NULL,
  commitment      numeric(78,0) NOT NULL,      -- inputCommitment of the salted input
  input_scale     integer NOT NULL,
  features        jsonb NOT NULL,
  raw_aggregate   jsonb NOT NULL,
  per_chain       jsonb NOT NULL,
  salt            jsonb NOT NULL,
  snapshot_blocks jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (wallet, commitment)
);
CREATE INDEX private_records_by_time ON private_records (wallet, created_at);

-- Commitments the attestor posted on chain.
CREATE TABLE commitments_posted (
  chain_id     integer NOT NULL,
  tx_hash      text    NOT NULL,
  wallet       text    NOT NULL,
  commitment   numeric(78,0) NOT NULL,
  block_number bigint  NOT NULL,
  posted_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_id, tx_hash)
);
CREATE INDEX commitments_posted_by_wallet ON commitments_posted (wallet, chain_id);

-- Proofs submitted to a registry: a round (attestRound) or a single-wallet proof (attest).
CREATE TABLE attestation_submissions (
  chain_id     integer NOT NULL,
  tx_hash      text    NOT NULL,
  circuit      text    NOT NULL CHECK (circuit IN ('single', 'round')),
  model_id     text    NOT NULL,
  status       text    NOT NULL CHECK (status IN ('sent', 'attested', 'reverted')),
  round_id     numeric(78,0),                  -- RoundAttested.roundId (rounds)
  block_number bigint,
  gas_used     numeric(78,0),
  tries        integer NOT NULL DEFAULT 1,
  error        text,                           -- the revert's error name
  submitted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_id, tx_hash)
);

-- The wallets of a submitted proof, by slot, and what the registry did for each.
CREATE TABLE attestation_submission_wallets (
  chain_id         integer  NOT NULL,
  tx_hash          text     NOT NULL,
  slot             smallint NOT NULL,
  wallet           text     NOT NULL,
  commitment       numeric(78,0) NOT NULL,
  outcome          text CHECK (outcome IN ('attested', 'skipped')),
  tier             smallint,
  never_liquidated boolean,
  skip_reason      text,
  PRIMARY KEY (chain_id, tx_hash, slot),
  FOREIGN KEY (chain_id, tx_hash) REFERENCES attestation_submissions (chain_id, tx_hash) ON DELETE CASCADE
);
CREATE INDEX attestation_submission_wallets_by_wallet ON attestation_submission_wallets (wallet, chain_id);

-- The keeper's liquidations and their delay in blocks.
CREATE TABLE keeper_liquidations (
  chain_id                    integer NOT NULL,
  tx_hash                     text    NOT NULL,
  borrower                    text    NOT NULL,
  status                      text    NOT NULL CHECK (status IN ('sent', 'liquidated', 'reverted')),
  became_liquidatable_block   bigint  NOT NULL,
  liquidated_block            bigint,
  delay_blocks                integer,
  repaid_assets               numeric(78,0),   -- loan-token base units
  seized_assets               numeric(78,0),   -- collateral base units
  bad_debt                    numeric(78,0),   -- loan-token base units
  logged_at                   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_id, tx_hash)
);
CREATE INDEX keeper_liquidations_by_borrower ON keeper_liquidations (borrower, chain_id);

-- JSON data of older versions imported by \`zkrisk db import\` (once per source folder).
CREATE TABLE legacy_imports (
  source      text PRIMARY KEY,                -- absolute path of the imported folder
  kind        text NOT NULL CHECK (kind IN ('store')),
  records     integer NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
`;

const V2 = `
-- Issue 13: the indexer reads several protocols per chain (zkrisk, Aave v3, Morpho Blue: one
-- source each, ts/runtime/indexer/sources/). Rows indexed before are zkrisk's (protocol 'zkrisk').

-- What a chain's cursor covers: every source as '<protocol>:<address>@<start block>', sorted,
-- comma-separated. A different set (a protocol added or moved) re-indexes the chain.
ALTER TABLE index_cursors ADD COLUMN sources text;
UPDATE index_cursors SET sources = 'zkrisk:' || pool_address || '@' || start_block;
ALTER TABLE index_cursors ALTER COLUMN sources SET NOT NULL;
COMMENT ON COLUMN index_cursors.start_block IS 'first block indexed: the lowest start block of the sources';

-- The market an event belongs to: the reserve asset (Aave v3), the market id (Morpho Blue),
-- NULL for zkrisk (one market per pool). pool_address is the contract that emitted the event.
ALTER TABLE pool_events ADD COLUMN market text;
COMMENT ON COLUMN pool_events.oracle_price IS 'zkrisk: IOracle price (36 decimals), collateral events only; aave-v3, morpho-blue: USD price of one whole token of assets (8 decimals, the Aave v3 oracle of the chain), NULL when unpriced';
COMMENT ON COLUMN pool_events.value_loan_units IS 'value in the chain''s USD unit: zkrisk loan-token base units (every protocol)';

-- Logs of an indexed contract with an indexed event's signature that did not decode: counted
-- and reported, never dropped silently. Rewound with the events.
CREATE TABLE undecodable_logs (
  chain_id      integer NOT NULL,
  block_number  bigint  NOT NULL,
  log_index     integer NOT NULL,
  tx_hash       text    NOT NULL,
  protocol      text    NOT NULL,
  pool_address  text    NOT NULL,
  topic0        text,
  reason        text    NOT NULL,
  PRIMARY KEY (chain_id, block_number, log_index)
);

-- A wallet's positions in a protocol other than zkrisk at a day block (the daily risk samples'
-- reads, cached): [{debtUsd, collateralUsd, liquidationThreshold}] per market, as read then.
CREATE TABLE protocol_risk_samples (
  chain_id     integer NOT NULL,
  wallet       text    NOT NULL,
  day          integer NOT NULL,
  protocol     text    NOT NULL,
  block_number bigint  NOT NULL,
  positions    jsonb   NOT NULL,
  PRIMARY KEY (chain_id, wallet, day, protocol)
);
`;

// Batch liquidations: one transaction liquidates many borrowers, one row each.
const KEEPER_BATCHES = `
ALTER TABLE keeper_liquidations DROP CONSTRAINT keeper_liquidations_pkey;
ALTER TABLE keeper_liquidations ADD PRIMARY KEY (chain_id, tx_hash, borrower);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "runtime schema: indexer, private records, submissions, keeper log", sql: V1 },
  { version: 2, name: "indexer sources: protocols per chain, markets, undecodable logs, protocol risk samples", sql: V2 },
  { version: 3, name: "keeper log: one row per borrower of a transaction (batch liquidations)", sql: KEEPER_BATCHES },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

const checksum = (sql: string): string => createHash("sha256").update(sql).digest("hex");
/** pg_advisory_xact_lock key: "zkrisk" in ASCII. */
const MIGRATION_LOCK = 0x7a6b7269736b;

/** Apply the pending migrations in one transaction; the versions applied (empty when up to date). */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await tx.query<{ version: number; checksum: string }>("SELECT version, checksum FROM schema_migrations ORDER BY version");
    const newest = applied.at(-1)?.version ?? 0;
    if (newest > SCHEMA_VERSION) {
      throw new Error(`database ${db.label} has schema version ${newest}, newer than this zkrisk's ${SCHEMA_VERSION}: upgrade zkrisk before using it`);
    }
    for (const a of applied) {
      const m = MIGRATIONS.find((x) => x.version === a.version);
      if (m && checksum(m.sql) !== a.checksum) {
        throw new Error(`database ${db.label}: migration ${a.version} (${m.name}) differs from the one applied; released migrations must not be edited`);
      }
    }
    const done = new Set(applied.map((a) => a.version));
    const pending = MIGRATIONS.filter((m) => !done.has(m.version));
    for (const m of pending) {
      await tx.exec(m.sql);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [m.version, m.name, checksum(m.sql)]);
    }
    return pending.map((m) => m.version);
  });
}

/** The applied migrations, oldest first. */
export async function appliedMigrations(db: Database): Promise<{ version: number; name: string; appliedAt: Date }[]> {
  const rows = await db.query<{ version: number; name: string; applied_at: Date }>("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
  return rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
}
