// Salted inputs. A Poseidon commitment to a low-entropy feature vector could be inverted by
// trying every plausible vector, so each committed input ends with saltLength random
// integers of saltBits bits each (64 bits in all for the reference models). The salt is kept
// off-chain with the features; the commitment covers both.
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";

export interface SaltSpec {
  readonly saltLength: number;
  readonly saltBits: number;
  /**
   * Each salt element s enters the float input as s * 2^-encodingScale. With the circuit's input
   * scale equal to it, the fixed-point value EZKL hashes is s itself (0 for models that take s as is).
   */
  readonly encodingScale: number;
}

/** Read the salt spec from a model description (top-level or under "salt"). */
export function readSaltSpec(file: string): SaltSpec {
  const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const src = (typeof json.salt === "object" && json.salt !== null ? json.salt : json) as Record<string, unknown>;
  const { saltLength, saltBits } = src;
  const encodingScale = src.encodingScale ?? src.saltEncodingScale ?? 0;
  if (!Number.isInteger(saltLength) || !Number.isInteger(saltBits) || (saltLength as number) < 1) {
    throw new Error(`${file} has no valid saltLength/saltBits`);
  }
  if ((saltBits as number) > 24) throw new Error(`${file}: saltBits ${saltBits} exceeds 24 (salt must stay exact in float32)`);
  if (!Number.isInteger(encodingScale) || (encodingScale as number) < 0 || (encodingScale as number) > 24) {
    throw new Error(`${file}: salt encoding scale ${String(encodingScale)} must be an integer in [0, 24]`);
  }
  return { saltLength: saltLength as number, saltBits: saltBits as number, encodingScale: encodingScale as number };
}

export function drawSalt(spec: SaltSpec): number[] {
  return Array.from({ length: spec.saltLength }, () => randomInt(0, 2 ** spec.saltBits));
}

/** The committed input vector: features, then each salt element as s * 2^-encodingScale. */
export function saltedInput(features: readonly number[], salt: readonly number[], spec: Pick<SaltSpec, "encodingScale">): number[] {
  const unit = 2 ** spec.encodingScale;
  return [...features, ...salt.map((s) => s / unit)];
}
