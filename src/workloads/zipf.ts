/**
 * Zipf sampling over n items: item i (0-based rank) has weight 1 / (i + 1)^s. s = 0 is
 * uniform; s = 1 is the classic Zipf skew. Sampling is a binary search in a precomputed CDF.
 */
import type { Rng } from './rng.js'

/** Draws ranks from a Zipf(s) distribution over `n` items. */
export interface Zipf {
  readonly n: number
  readonly s: number
  /** A rank in [0, n): rank 0 is the most popular. */
  sample(rng: Rng): number
  /** Probability of rank i. */
  probability(i: number): number
}

/** Builds a Zipf sampler over `n` items with exponent `s` (s >= 0). */
export function createZipf(n: number, s: number): Zipf {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf: n must be a positive integer, got ${n}`)
  if (!(s >= 0)) throw new RangeError(`zipf: s must be >= 0, got ${s}`)
  const cdf = new Float64Array(n)
  let acc = 0
  for (let i = 0; i < n; i++) {
    acc += s === 0 ? 1 : 1 / Math.pow(i + 1, s)
    cdf[i] = acc
  }
  const total = acc
  return {
    n,
    s,
    sample(rng) {
      if (s === 0) return rng.int(n)
      const x = rng.next() * total
      let lo = 0
      let hi = n - 1
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((cdf[mid] ?? 0) > x) hi = mid
        else lo = mid + 1
      }
      return lo
    },
    probability(i) {
      if (i < 0 || i >= n) return 0
      return ((cdf[i] ?? 0) - (i === 0 ? 0 : (cdf[i - 1] ?? 0))) / total
    },
  }
}
