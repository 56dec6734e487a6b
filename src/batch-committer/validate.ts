/**
 * Validation of group results against reality, by versions (as in Block-STM). Every value a
 * transaction saw has a version: the canonical index of the transaction that wrote it (-1 for
 * the parent state) plus, for balances, how many commutative credits were applied on top since.
 * A transaction is valid when every key it read or wrote had, in the view it executed on, the
 * same version as in canonical sequential order. The first invalid transaction ends the kept
 * prefix; everything from it on is re-executed in the next round.
 */
import type { StateKey } from '../state-verification/index.js'
import { balanceKey } from '../state-verification/index.js'

/** Version of a key's value: writer index (-1 = parent state) and credits applied since. */
export interface Version {
  w: number
  c: number
}

const PARENT: Version = { w: -1, c: 0 }

/** What one transaction touched, as executed, and which view it executed on. */
export interface ValidationRecord {
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

/** The state a group's package was cut from: the canonical prefix of `base` txs, plus overrides. */
export interface GroupView {
  base: number
  overrides?: Map<StateKey, Version>
}

export interface Conflict {
  index: number
  key: StateKey
  seen: Version
  canonical: Version
}

export interface ValidationOutcome {
  /** Number of leading transactions (from 0) that are valid: the kept prefix ends here. */
  validUpTo: number
  conflict: Conflict | null
}

/**
 * Validates `records` (one per transaction, canonical order, index i at position i) from
 * `start` on; transactions before `start` are already committed. Returns the end of the valid prefix.
 */
export function validateRecords(
  records: readonly ValidationRecord[],
  views: ReadonlyMap<number, GroupView>,
  start: number,
): ValidationOutcome {
  const canon = new Map<StateKey, Version>()
  const bases = new Set<number>([0])
  for (const v of views.values()) bases.add(v.base)
  const canonAt = new Map<number, Map<StateKey, Version>>()
  const groupState = new Map<number, Map<StateKey, Version>>()

  const apply = (m: Map<StateKey, Version>, rec: ValidationRecord, lookup: (k: StateKey) => Version): void => {
    for (const k of rec.writes) m.set(k, { w: rec.index, c: 0 })
    for (const a of rec.credits) {
      const k = balanceKey(a)
      const prev = m.get(k) ?? lookup(k)
      m.set(k, { w: prev.w, c: prev.c + 1 })
    }
  }
  const canonLookup = (k: StateKey): Version => canon.get(k) ?? PARENT

  for (let i = 0; i < records.length; i++) {
    if (bases.has(i)) canonAt.set(i, new Map(canon))
    const rec = records[i]!
    if (i >= start) {
      const view = views.get(rec.group) ?? { base: start }
      const baseMap = rec.fromParent === true ? canonAt.get(0)! : canonAt.get(view.base) ?? canonAt.get(0)!
      const gs = rec.fromParent === true ? undefined : groupState.get(rec.group)
      const seenOf = (k: StateKey): Version =>
        gs?.get(k) ?? (rec.fromParent === true ? undefined : view.overrides?.get(k)) ?? baseMap.get(k) ?? PARENT
      for (const keys of [rec.reads, rec.writes]) {
        for (const k of keys) {
          const seen = seenOf(k)
          const want = canonLookup(k)
          if (seen.w !== want.w || seen.c !== want.c) {
            return { validUpTo: i, conflict: { index: i, key: k, seen, canonical: want } }
          }
        }
      }
      let g = groupState.get(rec.group)
      if (g === undefined) {
        g = new Map()
        groupState.set(rec.group, g)
      }
      const gRef = g
      apply(gRef, rec, (k) => view.overrides?.get(k) ?? baseMap.get(k) ?? PARENT)
    }
    apply(canon, rec, canonLookup)
  }
  return { validUpTo: records.length, conflict: null }
}
