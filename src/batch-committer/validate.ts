/**
 * Validation of group results against reality, by versions (as in Block-STM). Every value a
 * transaction saw has a version: the canonical index of the transaction that wrote it (-1 for
 * the parent state) and that writer's incarnation (0 = as executed in its group, 1 = executed
 * again by the committer), plus, for balances, the count of commutative credits applied since
 * and how many of those came from re-executed transactions. A transaction is valid when every
 * key it read or wrote had the same version in the view it executed on as in sequential order.
 *
 * The validator streams in canonical order: `check` a transaction, then `commit` what really
 * happened (its own result if valid, or the committer's re-execution with incarnation 1), and
 * `observe` what its group saw (the result as executed in the group). Later transactions of a
 * group that consumed a replaced result then fail their check and are re-executed too.
 */
import type { StateKey } from '../state-verification/index.js'
import { balanceKey } from '../state-verification/index.js'

/** Version of a key's value. */
export interface Version {
  /** writer's canonical position, -1 = parent state */
  w: number
  /** writer's incarnation (0 = group execution, 1 = re-executed by the committer) */
  inc: number
  /** credits applied since the last write */
  c: number
  /** of those, credits from re-executed transactions */
  ci: number
}

const PARENT: Version = { w: -1, inc: 0, c: 0, ci: 0 }

/** What one transaction touched, as executed, and which view it executed on. */
export interface ValidationRecord {
  /** canonical position */
  index: number
  /** The group (view) that produced the result. */
  group: number
  /** True when the result was computed against the parent state alone (a reused speculative result). */
  fromParent?: boolean
  reads: Iterable<StateKey>
  writes: Iterable<StateKey>
  /** Addresses credited (commutative). */
  credits: Iterable<string>
}

export interface Conflict {
  index: number
  key: StateKey
  seen: Version
  canonical: Version
}

const same = (a: Version, b: Version): boolean => a.w === b.w && a.inc === b.inc && a.c === b.c && a.ci === b.ci

function applyTo(m: Map<StateKey, Version>, rec: ValidationRecord, inc: number, lookup: (k: StateKey) => Version): void {
  for (const k of rec.writes) m.set(k, { w: rec.index, inc, c: 0, ci: 0 })
  for (const a of rec.credits) {
    const k = balanceKey(a)
    const prev = m.get(k) ?? lookup(k)
    m.set(k, { w: prev.w, inc: prev.inc, c: prev.c + 1, ci: prev.ci + inc })
  }
}

/** Streaming validator over one block (all group views start from the parent state). */
export class StreamingValidator {
  private readonly canon = new Map<StateKey, Version>()
  private readonly groups = new Map<number, Map<StateKey, Version>>()

  private canonOf(k: StateKey): Version {
    return this.canon.get(k) ?? PARENT
  }

  /** The version `rec`'s view had for `k`. */
  private seenOf(rec: ValidationRecord, k: StateKey): Version {
    if (rec.fromParent === true) return PARENT
    return this.groups.get(rec.group)?.get(k) ?? PARENT
  }

  /** Checks a transaction's result against sequential order; null when valid. */
  check(rec: ValidationRecord): Conflict | null {
    for (const keys of [rec.reads, rec.writes]) {
      for (const k of keys) {
        const seen = this.seenOf(rec, k)
        const want = this.canonOf(k)
        if (!same(seen, want)) return { index: rec.index, key: k, seen, canonical: want }
      }
    }
    return null
  }

  /** Records what actually happened at this position in canonical order. */
  commit(rec: ValidationRecord, reexecuted: boolean): void {
    applyTo(this.canon, rec, reexecuted ? 1 : 0, (k) => this.canonOf(k))
  }

  /** Records what the transaction's group saw it do (its result as executed there). */
  observe(rec: ValidationRecord): void {
    if (rec.fromParent === true) return
    let g = this.groups.get(rec.group)
    if (g === undefined) {
      g = new Map()
      this.groups.set(rec.group, g)
    }
    applyTo(g, rec, 0, () => PARENT)
  }
}
