/** Defaults of the block pipeline. */

/**
 * Blocks with fewer valid transactions than this run sequentially without even predicting.
 * Measured on 2 cores (ERC-20 transfers, best of 3, forced parallel vs sequential): 8 txs 0.46x,
 * 16 txs 0.55x, 32 txs 0.50x, 64 txs 0.78x, 128 txs 0.72x, 256 txs 0.83x — worker round trips
 * and the second execution dominate small blocks; below 16 there is also too little to group.
 */
export const SEQUENTIAL_BELOW_TXS = 16
/** Blocks whose DAG shows less ideal speedup than this (over the groups available) run sequentially. */
export const SEQUENTIAL_BELOW_SPEEDUP = 1.15
/** Traced examples per call shape before a learned access template is trusted (learn + confirm). */
export const TEMPLATE_EXAMPLES = 2
/**
 * Shares of the block in the consecutive parts a group's packages are cut into, so the committer
 * merges and flushes part j while the workers run part j+1. What it merges after the workers end
 * (the last part) is the seal's wait: the parts shrink towards the end. Measured on the 10k
 * ERC-20 block, 2 workers, alternating in one process (medians of 6-8 runs, three sessions of
 * runs): these five parts took 0.86-0.93 of the time of four equal parts (which beat eight equal
 * parts: flushing more often costs more than it overlaps).
 */
export const DEFAULT_PART_SHARES: readonly number[] = [0.28, 0.27, 0.23, 0.15, 0.07]

/** Blocks with at least this many transactions recover their senders on the executor's workers (when it has them). */
export const RECOVER_ON_WORKERS_FROM = 128

/**
 * Staged prediction: when at least SAMPLE_CHECK_FROM transactions need a traced prediction, the
 * earliest max(SAMPLE_MIN, SAMPLE_FRACTION of them) are traced first, and if the block's prefix
 * up to there shows no parallelism (ideal speedup below SEQUENTIAL_BELOW_SPEEDUP) the block runs
 * sequentially without tracing the rest. A heuristic for speed only (a block whose tail alone
 * is parallel then runs sequentially); it never affects the result.
 */
export const SAMPLE_CHECK_FROM = 512
export const SAMPLE_FRACTION = 0.125
export const SAMPLE_MIN = 128

/**
 * Sender chains (sender-chains.ts) are cut when the plain partition's ideal speedup is below this
 * share of the group count, and kept cut only when the estimate with repairs beats the plain
 * partition by CUT_SENDER_CHAINS_MARGIN.
 */
export const CUT_SENDER_CHAINS_BELOW = 0.9
export const CUT_SENDER_CHAINS_MARGIN = 1.15
/** Keyed-template examples (one per key) are traced on the workers from this many, else in this thread. */
export const KEYED_EXAMPLES_ON_WORKERS_FROM = 16
/** Blocks from this many transactions compute their body's roots on the workers (message overhead below). */
export const BODY_ON_WORKERS_FROM = 256
