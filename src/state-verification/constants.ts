/** Defaults of the state verification machine. */
import { availableParallelism } from 'node:os'

/** Default number of prediction workers: one per core. */
export const DEFAULT_PREDICTION_WORKERS = Math.max(1, availableParallelism())

/** Gas of a plain value transfer (no calldata, no code at the recipient). */
export const TRANSFER_GAS = 21_000n
