/** Defaults of the block pipeline. */

/**
 * Blocks with fewer valid transactions than this run sequentially: below it, worker round
 * trips cost more than they save (measured with `paradag replay` on generated blocks).
 */
export const SEQUENTIAL_BELOW_TXS = 16
/** Blocks whose DAG shows less ideal speedup than this (over the groups available) run sequentially. */
export const SEQUENTIAL_BELOW_SPEEDUP = 1.15
/** Traced examples per call shape before a learned access template is trusted (learn + confirm). */
export const TEMPLATE_EXAMPLES = 2
/** Parts a group's packages are cut into so the committer works while groups execute. */
export const DEFAULT_PARTS = 4
