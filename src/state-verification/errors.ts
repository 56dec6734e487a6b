import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type StateVerificationErrorCode =
  | 'SV_NOT_TRACING'
  | 'SV_TX_DECODE'
  | 'SV_UNSUPPORTED_TX'
  | 'SV_BAD_BAL'
  | 'SV_BAD_INPUT'
  | 'SV_POOL_NOT_STARTED'
  | 'SV_POOL_STOPPED'
  | 'SV_WORKER_FAILED'
  | 'SV_ABORTED'

/** Errors of the state verification machine. */
export class StateVerificationError extends ParadagError {
  override name = 'StateVerificationError'
  constructor(code: StateVerificationErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
