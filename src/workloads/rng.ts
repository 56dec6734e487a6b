/**
 * Seeded PRNG (sfc32, 32-bit state words) for workload generation: deterministic for a seed and
 * a stream name, independent of Math.random and of the platform.
 */
import { keccak256 } from '../crypto/index.js'

/** A deterministic random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Uniform bigint in [lo, hi] (inclusive), for amounts. */
  bigint(lo: bigint, hi: bigint): bigint
  /** True with probability p. */
  chance(p: number): boolean
  /** Picks index i with probability weights[i] / sum(weights). */
  weighted(weights: readonly number[]): number
}

/** Creates the PRNG for `seed` and a named stream (different streams are independent). */
export function createRng(seed: number | bigint | string, stream = ''): Rng {
  const h = keccak256(new TextEncoder().encode(`paradag-rng:${String(seed)}:${stream}`))
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength)
  let a = view.getUint32(0) | 0
  let b = view.getUint32(4) | 0
  let c = view.getUint32(8) | 0
  let d = view.getUint32(12) | 0
  const u32 = (): number => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 16; i++) u32()
  const next = (): number => (u32() * 2 ** 21 + (u32() >>> 11)) / 2 ** 53
  const rng: Rng = {
    next,
    int: (n) => Math.floor(next() * n),
    bigint: (lo, hi) => {
      const span = hi - lo + 1n
      let r = 0n
      for (let i = 0; i < 4; i++) r = (r << 64n) | (BigInt(u32()) << 32n) | BigInt(u32())
      return lo + (r % span)
    },
    chance: (p) => next() < p,
    weighted: (weights) => {
      let total = 0
      for (const w of weights) total += w
      let x = next() * total
      for (let i = 0; i < weights.length; i++) {
        x -= weights[i] ?? 0
        if (x < 0) return i
      }
      return weights.length - 1
    },
  }
  return rng
}
