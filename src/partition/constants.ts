/** Defaults of the partitioner. */

/** A component holding more than this share of the batch's gas makes the partition `dominated`. */
export const DOMINANCE_THRESHOLD = 0.5
/** Groups when none are asked for. */
export const DEFAULT_GROUPS = 4
/** Partition strategies: the typed-array fast path and the graphology reference. */
export const PARTITION_STRATEGY = { unionFind: 'union-find', graphology: 'graphology' } as const
export type PartitionStrategy = (typeof PARTITION_STRATEGY)[keyof typeof PARTITION_STRATEGY]
