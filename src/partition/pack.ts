/**
 * Packing components into k groups by estimated gas: largest component first into the least
 * loaded group (LPT). Fully deterministic: components of equal gas go in order of their smallest
 * transaction index, and equally loaded groups are chosen by lowest group index.
 */
import { DOMINANCE_THRESHOLD } from './constants.js'
import { PartitionError } from './errors.js'
import type { Components } from './components.js'

export interface PackOptions {
  /** share of total gas above which one component makes the result `dominated` (default 0.5) */
  dominanceThreshold?: number
}

export interface PackedGroup {
  index: number
  /** transactions of the group, ascending (canonical order) */
  txs: Uint32Array
  gas: number
  components: number
}

export interface LargestComponent {
  /** canonical component id */
  id: number
  txs: number
  gas: number
  /** txs / all txs */
  txShare: number
  /** gas / total gas (0 when there is no gas) */
  gasShare: number
}

export interface PackResult {
  groups: PackedGroup[]
  /** group index per transaction */
  groupOf: Uint32Array
  totalGas: number
  /** gas of the most loaded group */
  makespan: number
  /** totalGas / makespan; 1 when there is no gas */
  idealSpeedup: number
  /** the component with the most gas (ties: more txs, then smaller id); undefined if no txs */
  largestComponent: LargestComponent | undefined
  /** true when one component holds more than `dominanceThreshold` of the gas */
  dominated: boolean
  dominanceThreshold: number
}

/** Packs components into `k` groups by gas (largest first into the least-loaded group). */
export function packGroups(components: Components, gas: ArrayLike<number>, k: number, options: PackOptions = {}): PackResult {
  const n = components.componentOf.length
  const c = components.count
  if (!Number.isInteger(k) || k < 1) {
    throw new PartitionError('PARTITION_INVALID_GROUPS', 'groups must be a positive integer', { details: { groups: k } })
  }
  if (gas.length !== n) {
    throw new PartitionError('PARTITION_INVALID_INPUT', 'gas must have one entry per transaction', { details: { txs: n, gas: gas.length } })
  }
  const threshold = options.dominanceThreshold ?? DOMINANCE_THRESHOLD
  const compOf = components.componentOf
  const compGas = new Float64Array(c)
  const compSize = new Uint32Array(c)
  let totalGas = 0
  for (let i = 0; i < n; i++) {
    const id = compOf[i] as number
    if (id >= c) throw new PartitionError('PARTITION_INVALID_INPUT', 'component id out of range', { details: { tx: i, id, count: c } })
    const g = gas[i] as number
    if (!(g >= 0 && g < Infinity)) {
      throw new PartitionError('PARTITION_INVALID_INPUT', 'gas must be finite and non-negative', { details: { tx: i, gas: g } })
    }
    compGas[id] = (compGas[id] as number) + g
    compSize[id] = (compSize[id] as number) + 1
    totalGas += g
  }

  const order = sortComponents(compGas)

  // least-loaded group: binary min-heap of group ids keyed by (load, id)
  const load = new Float64Array(k)
  const heap = new Uint32Array(k)
  for (let g = 0; g < k; g++) heap[g] = g // all loads 0: ascending ids is a valid heap
  const groupOfComp = new Uint32Array(c)
  const groupComps = new Uint32Array(k)
  for (let x = 0; x < c; x++) {
    const comp = order[x] as number
    const g = heap[0] as number
    groupOfComp[comp] = g
    groupComps[g] = (groupComps[g] as number) + 1
    load[g] = (load[g] as number) + (compGas[comp] as number)
    siftDown(heap, load, k)
  }

  // group tx lists by counting sort over txs in order (keeps canonical order inside groups)
  const groupOf = new Uint32Array(n)
  const counts = new Uint32Array(k + 1)
  for (let i = 0; i < n; i++) {
    const g = groupOfComp[compOf[i] as number] as number
    groupOf[i] = g
    counts[g + 1] = (counts[g + 1] as number) + 1
  }
  for (let g = 0; g < k; g++) counts[g + 1] = (counts[g + 1] as number) + (counts[g] as number)
  const flat = new Uint32Array(n)
  const fill = counts.slice(0, k)
  for (let i = 0; i < n; i++) {
    const g = groupOf[i] as number
    flat[fill[g] as number] = i
    fill[g] = (fill[g] as number) + 1
  }
  const groups: PackedGroup[] = []
  let makespan = 0
  for (let g = 0; g < k; g++) {
    const l = load[g] as number
    if (l > makespan) makespan = l
    groups.push({ index: g, txs: flat.subarray(counts[g] as number, counts[g + 1] as number), gas: l, components: groupComps[g] as number })
  }

  let largest: LargestComponent | undefined
  if (c > 0) {
    let best = 0
    for (let id = 1; id < c; id++) {
      const gi = compGas[id] as number
      const gb = compGas[best] as number
      if (gi > gb || (gi === gb && (compSize[id] as number) > (compSize[best] as number))) best = id
    }
    const lg = compGas[best] as number
    largest = {
      id: best,
      txs: compSize[best] as number,
      gas: lg,
      txShare: (compSize[best] as number) / n,
      gasShare: totalGas > 0 ? lg / totalGas : 0,
    }
  }
  return {
    groups,
    groupOf,
    totalGas,
    makespan,
    idealSpeedup: makespan > 0 ? totalGas / makespan : 1,
    largestComponent: largest,
    dominated: largest !== undefined && largest.gasShare > threshold,
    dominanceThreshold: threshold,
  }
}

function siftDown(heap: Uint32Array, load: Float64Array, size: number): void {
  let i = 0
  const item = heap[0] as number
  const il = load[item] as number
  for (;;) {
    const l = 2 * i + 1
    if (l >= size) break
    let m = l
    const r = l + 1
    if (r < size && less(heap[r] as number, heap[l] as number, load)) m = r
    const mv = heap[m] as number
    const ml = load[mv] as number
    if (ml < il || (ml === il && mv < item)) {
      heap[i] = mv
      i = m
    } else break
  }
  heap[i] = item
}

function less(a: number, b: number, load: Float64Array): boolean {
  const la = load[a] as number
  const lb = load[b] as number
  return la < lb || (la === lb && a < b)
}

/** Component ids by gas descending, ties by id ascending (= smallest tx ascending). */
function sortComponents(compGas: Float64Array): Uint32Array {
  const c = compGas.length
  const order = new Uint32Array(c)
  for (let i = 0; i < c; i++) order[i] = i
  if (c < RADIX_MIN) {
    order.sort((a, b) => (compGas[b] as number) - (compGas[a] as number) || a - b)
    return order
  }
  return radixSortDescending(compGas, order)
}

const RADIX_MIN = 2048

/**
 * Stable LSD radix sort (16-bit digits) of ids by gas descending. Gas is finite and >= 0, where
 * the IEEE-754 bit pattern orders like the number; complementing it turns descending into
 * ascending, and stability keeps equal gas in ascending id order. Linear, unlike a comparator
 * sort, which matters when a batch has hundreds of thousands of components.
 */
function radixSortDescending(gas: Float64Array, ids: Uint32Array): Uint32Array {
  const c = ids.length
  const words = new Uint32Array(gas.buffer, gas.byteOffset, 2 * c)
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  const lo = new Uint32Array(c)
  const hi = new Uint32Array(c)
  for (let i = 0; i < c; i++) {
    lo[i] = ~(words[little ? 2 * i : 2 * i + 1] as number) >>> 0
    hi[i] = ~(words[little ? 2 * i + 1 : 2 * i] as number) >>> 0
  }
  let src: Uint32Array = ids
  let dst: Uint32Array = new Uint32Array(c)
  const count = new Uint32Array(65537)
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? lo : hi
    const shift = (pass & 1) * 16
    count.fill(0)
    for (let x = 0; x < c; x++) {
      const d = (((word[src[x] as number] as number) >>> shift) & 0xffff) + 1
      count[d] = (count[d] as number) + 1
    }
    // a digit equal across all ids leaves the order as it is
    let single = false
    for (let d = 1; d <= 65536; d++) {
      const v = count[d] as number
      if (v === c) single = true
      if (v !== 0) break
    }
    if (single) continue
    for (let d = 0; d < 65536; d++) count[d + 1] = (count[d + 1] as number) + (count[d] as number)
    for (let x = 0; x < c; x++) {
      const id = src[x] as number
      const d = ((word[id] as number) >>> shift) & 0xffff
      const at = count[d] as number
      dst[at] = id
      count[d] = at + 1
    }
    const t = src
    src = dst
    dst = t
  }
  return src
}
