import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type GroupExecErrorCode =
  | 'EXEC_POOL_STOPPED'
  | 'EXEC_ABORTED'
  | 'EXEC_WORKER_CRASHED'
  | 'EXEC_NO_FALLBACK'
  | 'EXEC_BAD_PACKAGE'
  | 'EXEC_SESSION_ORDER'

/** Errors of group execution and executors. */
export class GroupExecError extends ParadagError {
  override name = 'GroupExecError'
  constructor(code: GroupExecErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
