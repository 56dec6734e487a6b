/**
 * Conversion from the string-keyed `AccessSet`s of state-verification to `CompactAccesses`.
 */
import { balanceKey, type AccessSet } from '../state-verification/index.js'
import { ACCESS_KIND } from './constants.js'
import { DagError } from './errors.js'
import { KeyInterner } from './interner.js'
import type { CompactAccesses } from './types.js'

export interface CompactFromAccessSetsOptions {
  /** interner to extend (e.g. shared across batches); a new one by default */
  interner?: KeyInterner
}

export interface CompactConversion {
  accesses: CompactAccesses
  interner: KeyInterner
}

/**
 * Converts access sets to CSR form. A key both read and written becomes one `readWrite` entry
 * (write for edges, read kept); a credit to an address becomes a `credit` entry on its balance
 * key, or is folded into the read/write entry when the transaction also touches that balance.
 */
export function compactFromAccessSets(
  accessSets: readonly AccessSet[],
  gas: readonly number[] | readonly bigint[],
  options: CompactFromAccessSetsOptions = {},
): CompactConversion {
  const n = accessSets.length
  if (gas.length !== n) {
    throw new DagError('DAG_INVALID_INPUT', 'gas must have one entry per access set', {
      details: { txCount: n, gasLength: gas.length },
    })
  }
  const interner = options.interner ?? new KeyInterner()
  const offsets = new Uint32Array(n + 1)
  const keys: number[] = []
  const kinds: number[] = []
  const gasOut = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    const a = accessSets[j] as AccessSet
    const g = gas[j] as number | bigint
    gasOut[j] = typeof g === 'bigint' ? Number(g) : g
    // reads first, in the set's order, then writes not read, then credits not otherwise touched
    for (const k of a.reads) {
      keys.push(interner.intern(k))
      kinds.push(a.writes.has(k) ? ACCESS_KIND.readWrite : ACCESS_KIND.read)
    }
    for (const k of a.writes) {
      if (a.reads.has(k)) continue
      keys.push(interner.intern(k))
      kinds.push(ACCESS_KIND.write)
    }
    for (const addr of a.credits.keys()) {
      const k = balanceKey(addr)
      // a credit on a key the tx also reads must still be visible to later readers, so it
      // gets its own entry; a credit on a key the tx writes is part of that write
      if (a.writes.has(k)) continue
      keys.push(interner.intern(k))
      kinds.push(ACCESS_KIND.credit)
    }
    offsets[j + 1] = keys.length
  }
  return {
    accesses: {
      txCount: n,
      offsets,
      keys: Uint32Array.from(keys),
      kinds: Uint8Array.from(kinds),
      gas: gasOut,
      keyCount: interner.size,
    },
    interner,
  }
}
