/**
 * Validation of group results against reality, by the values transactions saw. For every key,
 * the committer knows its canonical value source in sequential order — the parent state, or the
 * post value written by the last writer — plus the sum of commutative credits applied since. A
 * group knows the same for the view its transactions executed on (the parent state plus the
 * group's own earlier results). A transaction is valid when every key it read or wrote had the
 * same value source in its view as in sequential order: then it read the same values, so its
 * result is the sequential result. (Comparing values, not writer identities, means a repaired
 * transaction that writes what its group run wrote does not invalidate its group's later
 * transactions.)
 *
 * The validator streams in canonical order: `check` a transaction, `commit` what really happened
 * at that position (its own result if valid, else the committer's re-execution), and `observe`
 * what its group saw it do.
 */
import type { StateKey } from '../state-verification/index.js'
import { balanceKey } from '../state-verification/index.js'

/** Where a key's value came from in some view. */
export interface ValueSource {
  /** writer's canonical position, -1 = parent state, -2 = a value the group assumed */
  w: number
  /** the value written (opaque string), undefined for the parent state */
  v: string | undefined
  /** credits applied since the last write (wei) */
  cr: bigint
}

const PARENT: ValueSource = { w: -1, v: undefined, cr: 0n }
/** Writer position of a value the group assumed (compared by value, like any writer's). */
const ASSUMED = -2

/** What one transaction touched, as executed, and which view it executed on. */
export interface ValidationRecord {
  /** canonical position */
  index: number
  /** The group (view) that produced the result. */
  group: number
  /** True when the result was computed against the parent state alone (a reused speculative result). */
  fromParent?: boolean
  reads: Iterable<StateKey>
  /** Keys written, with their post values (opaque strings; equal strings = equal values). */
  writes: ReadonlyMap<StateKey, string>
  /** Credits by address (wei). */
  credits: ReadonlyMap<string, bigint>
  /**
   * Keys whose value the group set before running the transaction instead of taking it from its
   * view (a sender's own nonce when sender chains are cut), with that value (same encoding as
   * `writes`). Valid when sequential order has the same value there.
   */
  assumed?: ReadonlyMap<StateKey, string>
  /** Keys not checked: the committer recomputes their post value itself (a sender balance it rebases). */
  deltaKeys?: ReadonlySet<StateKey>
}

export interface Conflict {
  index: number
  key: StateKey
  seen: ValueSource
  canonical: ValueSource
}

function same(a: ValueSource, b: ValueSource): boolean {
  if (a.cr !== b.cr) return false
  if (a.w === -1 || b.w === -1) return a.w === b.w
  return a.v === b.v
}

function applyTo(m: Map<StateKey, ValueSource>, rec: ValidationRecord, lookup: (k: StateKey) => ValueSource): void {
  for (const [k, v] of rec.writes) m.set(k, { w: rec.index, v, cr: 0n })
  for (const [a, amount] of rec.credits) {
    if (amount === 0n) continue
    const k = balanceKey(a)
    const prev = m.get(k) ?? lookup(k)
    m.set(k, { w: prev.w, v: prev.v, cr: prev.cr + amount })
  }
}

/** Streaming validator over one block (all group views start from the parent state). */
export class StreamingValidator {
  private readonly canon = new Map<StateKey, ValueSource>()
  private readonly groups = new Map<number, Map<StateKey, ValueSource>>()

  private canonOf(k: StateKey): ValueSource {
    return this.canon.get(k) ?? PARENT
  }

  private seenOf(rec: ValidationRecord, k: StateKey): ValueSource {
    const v = rec.assumed?.get(k)
    if (v !== undefined) return { w: ASSUMED, v, cr: 0n }
    if (rec.fromParent === true) return PARENT
    return this.groups.get(rec.group)?.get(k) ?? PARENT
  }

  /** Checks a transaction's result against sequential order; null when valid. */
  check(rec: ValidationRecord): Conflict | null {
    const test = (k: StateKey): Conflict | null => {
      const seen = this.seenOf(rec, k)
      const want = this.canonOf(k)
      return same(seen, want) ? null : { index: rec.index, key: k, seen, canonical: want }
    }
    const skip = rec.deltaKeys
    for (const k of rec.reads) {
      if (skip?.has(k) === true) continue
      const c = test(k)
      if (c !== null) return c
    }
    for (const k of rec.writes.keys()) {
      if (skip?.has(k) === true) continue
      const c = test(k)
      if (c !== null) return c
    }
    return null
  }

  /** Records what actually happened at this position in canonical order. */
  commit(rec: ValidationRecord): void {
    applyTo(this.canon, rec, (k) => this.canonOf(k))
  }

  /** Records what the transaction's group saw it do (its result as executed there). */
  observe(rec: ValidationRecord): void {
    if (rec.fromParent === true) return
    let g = this.groups.get(rec.group)
    if (g === undefined) {
      g = new Map()
      this.groups.set(rec.group, g)
    }
    applyTo(g, rec, () => PARENT)
  }
}
