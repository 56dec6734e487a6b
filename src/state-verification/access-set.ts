/**
 * AccessSet: what one transaction touched. `reads` and `writes` are state keys; `credits` are
 * commutative balance credits (address -> wei), e.g. fee payments to the coinbase and fee
 * vaults, which conflict with nothing except a later read of that balance.
 * A key the transaction both read and wrote appears in both sets.
 */
import type { StateKey } from './state-key.js'

export interface AccessSet {
  reads: Set<StateKey>
  writes: Set<StateKey>
  /** lowercase 0x address -> credited wei (sum over the transaction) */
  credits: Map<string, bigint>
}

/** Where an access set came from, cheapest first. */
export const ACCESS_SOURCE = {
  hint: 'hint',
  static: 'static',
  traced: 'traced',
} as const
export type AccessSource = (typeof ACCESS_SOURCE)[keyof typeof ACCESS_SOURCE]

/** An empty access set. */
export function emptyAccessSet(): AccessSet {
  return { reads: new Set(), writes: new Set(), credits: new Map() }
}

/** Plain JSON form (sorted, bigints as decimal strings) for the wire, workers and reports. */
export interface AccessSetJson {
  reads: StateKey[]
  writes: StateKey[]
  credits: Record<string, string>
}

/** Serialises an AccessSet to sorted plain JSON. */
export function accessSetToJson(a: AccessSet): AccessSetJson {
  const credits: Record<string, string> = {}
  for (const k of [...a.credits.keys()].sort()) credits[k] = (a.credits.get(k) ?? 0n).toString()
  return { reads: [...a.reads].sort(), writes: [...a.writes].sort(), credits }
}

/** Parses the JSON form back into an AccessSet. */
export function accessSetFromJson(j: AccessSetJson): AccessSet {
  const credits = new Map<string, bigint>()
  for (const [k, v] of Object.entries(j.credits)) credits.set(k, BigInt(v))
  return { reads: new Set(j.reads), writes: new Set(j.writes), credits }
}
