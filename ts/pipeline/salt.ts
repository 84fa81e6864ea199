// Salted inputs. A Poseidon commitment to a low-entropy feature vector could be inverted by
// trying every plausible vector, so each committed input ends with saltLength random
// integers of saltBits bits each (64 bits in all for the reference models). The salt is kept
// off-chain with the features; the commitment covers both.
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";

export interface SaltSpec {
  readonly saltLength: number;
  readonly saltBits: number;
}

/** Read the salt spec from a model description (top-level or under "salt"). */
export function readSaltSpec(file: string): SaltSpec {
  const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const src = (typeof json.salt === "object" && json.salt !== null ? json.salt : json) as Record<string, unknown>;
  const { saltLength, saltBits } = src;
  if (!Number.isInteger(saltLength) || !Number.isInteger(saltBits) || (saltLength as number) < 1) {
    throw new Error(`${file} has no valid saltLength/saltBits`);
  }
  if ((saltBits as number) > 24) throw new Error(`${file}: saltBits ${saltBits} exceeds 24 (salt must stay exact in float32)`);
  return { saltLength: saltLength as number, saltBits: saltBits as number };
}

export function drawSalt(spec: SaltSpec): number[] {
  return Array.from({ length: spec.saltLength }, () => randomInt(0, 2 ** spec.saltBits));
}

/** The committed input vector: features then salt. */
export function saltedInput(features: readonly number[], salt: readonly number[]): number[] {
  return [...features, ...salt];
}
