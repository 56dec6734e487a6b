/**
 * Data layout of the compact conflict DAG. Everything is typed arrays so a million-transaction
 * batch is a handful of allocations and no per-edge objects.
 */

/**
 * Access sets of a batch in CSR form. Transaction `j` made the accesses
 * `keys[p], kinds[p]` for `offsets[j] <= p < offsets[j+1]`. A key may appear several times
 * for one transaction (e.g. a read entry and a write entry); the DAG merges them.
 */
export interface CompactAccesses {
  /** number of transactions */
  readonly txCount: number
  /** length txCount + 1, offsets[0] = 0, non-decreasing */
  readonly offsets: Uint32Array
  /** interned key ids, each < keyCount */
  readonly keys: Uint32Array
  /** ACCESS_KIND per entry: 0 read, 1 write, 2 credit, 3 read+write */
  readonly kinds: Uint8Array
  /** estimated gas per transaction (length txCount) */
  readonly gas: Float64Array
  /** number of distinct key ids (ids are 0..keyCount-1) */
  readonly keyCount: number
}

/**
 * The conflict DAG. Edges are stored once, grouped by target in increasing target order
 * (`inOffsets` is the CSR over targets), so `edgeFrom[e] < edgeTo[e]` and every edge into `j`
 * is in `inOffsets[j] .. inOffsets[j+1]-1`. A forward (by-source) index is built on demand by
 * `forwardIndex`.
 *
 * Keys of an edge: `edgeKey[e]` is the first key (in the target's access order) that created
 * the edge; `edgeMultiKey[e]` is 1 when other keys also contributed. `edgeKeys(dag, e)` lists
 * them all from the accesses.
 */
export interface ConflictDag {
  readonly txCount: number
  readonly edgeCount: number
  /** length txCount + 1: edges into j are inOffsets[j] .. inOffsets[j+1]-1 */
  readonly inOffsets: Uint32Array
  readonly edgeFrom: Uint32Array
  readonly edgeTo: Uint32Array
  /** EDGE_KIND bitmask per edge */
  readonly edgeKinds: Uint8Array
  readonly edgeKey: Uint32Array
  readonly edgeMultiKey: Uint8Array
  /** gas per transaction (the input's array, not a copy) */
  readonly gas: Float64Array
  /** the input the DAG was built from (kept for edge keys and exports) */
  readonly accesses: CompactAccesses
}

/** Edges sorted by source: out-edges of i are outEdges[outOffsets[i] .. outOffsets[i+1]-1]. */
export interface ForwardIndex {
  readonly outOffsets: Uint32Array
  /** edge indices into the ConflictDag arrays, ascending target within one source */
  readonly outEdges: Uint32Array
}
