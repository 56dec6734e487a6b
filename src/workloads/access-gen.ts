/**
 * Pure access-set generator: synthetic batches straight into `CompactAccesses` (integer keys,
 * typed arrays, no strings), seeded and deterministic, fast enough for 1,000,000 transactions.
 * No execution: it models the access shape of transfers and simple contract calls so the DAG and
 * partitioner can be measured at scale, with Zipf-skewed contention.
 *
 * Each transaction (of `keysPerTx` distinct keys when nothing collides):
 *   - sender balance and nonce: read+write (sender drawn Zipf(skew) over `accounts`)
 *   - recipient balance: read+write (recipient drawn Zipf(skew))
 *   - fee recipient balance: commutative credit (with `feeRecipientReadProbability` also a read)
 *   - `keysPerTx - 4` extra keys: storage slots drawn Zipf(skew) over `accounts` slots, or with
 *     `hotKeyProbability` one of `hotKeys` hot slots; written (read+write) with
 *     `writeProbability`, else read.
 *
 * Key id layout (N = accounts, H = hotKeys): [0,N) balances, [N,2N) nonces, [2N,3N) slots,
 * 3N fee recipient balance, [3N+1, 3N+1+H) hot slots. `generatedKeyName` turns ids into
 * StateKey strings for exports.
 */
import { ACCESS_KIND, type CompactAccesses } from '../dag/index.js'
import { WorkloadError } from './errors.js'

export interface AccessGenOptions {
  /** number of transactions */
  txs: number
  /** accounts (and storage slots) to draw from; default 10,000 */
  accounts?: number
  /** Zipf exponent s (0 = uniform); default 1.0 */
  skew?: number
  /** keys per transaction, >= 4 (3 when feeCredit is false); default 6 */
  keysPerTx?: number
  /** PRNG seed; default 1 */
  seed?: number
  /** number of hot storage slots shared by many transactions; default 0 */
  hotKeys?: number
  /** probability that an extra key is a hot slot (needs hotKeys > 0); default 0 */
  hotKeyProbability?: number
  /** probability that an extra key is written (else read only); default 0.5 */
  writeProbability?: number
  /** credit the fee recipient in every transaction; default true */
  feeCredit?: boolean
  /** probability that a transaction also reads the fee recipient's balance; default 0 */
  feeRecipientReadProbability?: number
}

export const ACCESS_GEN_DEFAULTS = {
  accounts: 10_000,
  skew: 1.0,
  keysPerTx: 6,
  seed: 1,
  hotKeys: 0,
  hotKeyProbability: 0,
  writeProbability: 0.5,
  feeCredit: true,
  feeRecipientReadProbability: 0,
} as const

const GAS_BASE = 21_000
const GAS_SLOT_READ = 2_100
const GAS_SLOT_WRITE = 22_100

/** Generates a batch of compact access sets (deterministic for equal options). */
export function generateAccesses(options: AccessGenOptions): CompactAccesses {
  const o = resolve(options)
  const n = o.txs
  const N = o.accounts
  const extras = o.keysPerTx - (o.feeCredit ? 4 : 3)
  const feeKey = 3 * N
  const hotBase = 3 * N + 1
  const keyCount = hotBase + o.hotKeys
  const maxEntries = n * (o.keysPerTx + 1)
  const offsets = new Uint32Array(n + 1)
  const keys = new Uint32Array(maxEntries)
  const kinds = new Uint8Array(maxEntries)
  const gas = new Float64Array(n)
  const zipf = createZipfSampler(N, o.skew)
  const rng = new Xoshiro128(o.seed)
  // probabilities as 32-bit thresholds, so a draw compares integers
  const pHot = o.hotKeys > 0 ? threshold(o.hotKeyProbability) : 0
  const pWrite = threshold(o.writeProbability)
  const pFeeRead = threshold(o.feeRecipientReadProbability)
  const RW = ACCESS_KIND.readWrite
  let p = 0
  for (let j = 0; j < n; j++) {
    const sender = zipf.sample(rng)
    const recipient = zipf.sample(rng)
    keys[p] = sender
    kinds[p++] = RW
    keys[p] = N + sender
    kinds[p++] = RW
    keys[p] = recipient
    kinds[p++] = RW
    if (o.feeCredit) {
      keys[p] = feeKey
      kinds[p++] = ACCESS_KIND.credit
      if (pFeeRead > 0 && rng.next() < pFeeRead) {
        keys[p] = feeKey
        kinds[p++] = ACCESS_KIND.read
      }
    }
    let g = GAS_BASE
    for (let x = 0; x < extras; x++) {
      const hot = pHot > 0 && rng.next() < pHot
      keys[p] = hot ? hotBase + (rng.next() % o.hotKeys) : 2 * N + zipf.sample(rng)
      if (rng.next() < pWrite) {
        kinds[p++] = RW
        g += GAS_SLOT_WRITE
      } else {
        kinds[p++] = ACCESS_KIND.read
        g += GAS_SLOT_READ
      }
    }
    gas[j] = g
    offsets[j + 1] = p
  }
  return { txCount: n, offsets, keys: keys.subarray(0, p), kinds: kinds.subarray(0, p), gas, keyCount }
}

/** The StateKey string of a generated key id (for exports and pictures of small batches). */
export function generatedKeyName(id: number, options: Pick<AccessGenOptions, 'accounts' | 'hotKeys'>): string {
  const N = options.accounts ?? ACCESS_GEN_DEFAULTS.accounts
  const H = options.hotKeys ?? ACCESS_GEN_DEFAULTS.hotKeys
  const addr = (prefix: string, i: number): string => `0x${prefix}${i.toString(16).padStart(40 - prefix.length, '0')}`
  const slot = (i: number): string => `0x${i.toString(16).padStart(64, '0')}`
  if (!Number.isInteger(id) || id < 0 || id >= 3 * N + 1 + H) throw new RangeError(`key id ${id} out of range`)
  if (id < N) return `b:${addr('a0', id)}`
  if (id < 2 * N) return `n:${addr('a0', id - N)}`
  if (id < 3 * N) return `s:${addr('c0', 0)}:${slot(id - 2 * N)}`
  if (id === 3 * N) return `b:${addr('fe', 0)}`
  return `s:${addr('c1', 0)}:${slot(id - 3 * N - 1)}`
}

type Resolved = Required<AccessGenOptions>

function resolve(options: AccessGenOptions): Resolved {
  const o: Resolved = { ...ACCESS_GEN_DEFAULTS, ...stripUndefined(options) } as Resolved
  const bad = (field: string): WorkloadError =>
    new WorkloadError('WORKLOAD_BAD_OPTIONS', `invalid access generator option ${field}`, { details: { [field]: o[field as keyof Resolved] } })
  if (!Number.isInteger(o.txs) || o.txs < 0) throw bad('txs')
  if (!Number.isInteger(o.accounts) || o.accounts < 1) throw bad('accounts')
  if (!Number.isFinite(o.skew) || o.skew < 0) throw bad('skew')
  if (!Number.isInteger(o.keysPerTx) || o.keysPerTx < (o.feeCredit ? 4 : 3)) throw bad('keysPerTx')
  if (!Number.isInteger(o.seed)) throw bad('seed')
  if (!Number.isInteger(o.hotKeys) || o.hotKeys < 0) throw bad('hotKeys')
  for (const f of ['hotKeyProbability', 'writeProbability', 'feeRecipientReadProbability'] as const) {
    if (!(o[f] >= 0 && o[f] <= 1)) throw bad(f)
  }
  if (3 * o.accounts + 1 + o.hotKeys > 0xffffffff || o.txs * (o.keysPerTx + 1) > 0xffffffff) throw bad('accounts')
  return o
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}

function threshold(p: number): number {
  return p >= 1 ? 0x100000000 : Math.floor(p * 0x100000000)
}

/** xoshiro128** (32-bit state words), seeded through splitmix32. */
export class Xoshiro128 {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    let s = seed >>> 0
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = split()
    this.b = split()
    this.c = split()
    this.d = split()
  }

  /** Next uint32. */
  next(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return r
  }

  /** Uniform float in [0, 1) with 53 bits. */
  float(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

export interface ZipfSampler {
  readonly n: number
  /** rank 0..n-1 (rank 0 is the most likely) */
  sample(rng: Xoshiro128): number
}

/** Zipf(s) over n ranks by Walker/Vose alias tables: O(n) setup, O(1) per sample. */
export function createZipfSampler(n: number, s: number): ZipfSampler {
  const w = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    const x = Math.pow(i + 1, -s)
    w[i] = x
    sum += x
  }
  const prob = new Float64Array(n)
  const alias = new Uint32Array(n)
  const small = new Uint32Array(n)
  const large = new Uint32Array(n)
  let ns = 0
  let nl = 0
  for (let i = 0; i < n; i++) {
    const q = ((w[i] as number) * n) / sum
    w[i] = q
    if (q < 1) small[ns++] = i
    else large[nl++] = i
  }
  while (ns > 0 && nl > 0) {
    const l = small[--ns] as number
    const g = large[nl - 1] as number
    prob[l] = w[l] as number
    alias[l] = g
    const rest = (w[g] as number) + (w[l] as number) - 1
    w[g] = rest
    if (rest < 1) {
      nl--
      small[ns++] = g
    }
  }
  // leftovers are 1 up to rounding
  while (nl > 0) prob[large[--nl] as number] = 1
  while (ns > 0) prob[small[--ns] as number] = 1
  return {
    n,
    sample(rng: Xoshiro128): number {
      const i = rng.next() % n
      return rng.next() / 4294967296 < (prob[i] as number) ? i : (alias[i] as number)
    },
  }
}
