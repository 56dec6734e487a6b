import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type WorkloadErrorCode =
  | 'WORKLOAD_BAD_OPTIONS'
  | 'WORKLOAD_SETUP_FAILED'
  | 'WORKLOAD_BAD_JSON'
  | 'WORKLOAD_TX_UNDECODABLE'

/** Errors of the workload generators, the genesis builder and the block JSON format. */
export class WorkloadError extends ParadagError {
  override name = 'WorkloadError'
  constructor(code: WorkloadErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
