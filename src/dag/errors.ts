import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type DagErrorCode = 'DAG_INVALID_INPUT' | 'DAG_TOO_LARGE_FOR_SVG' | 'DAG_UNKNOWN_LAYOUT'

/** Errors of the conflict DAG module. */
export class DagError extends ParadagError {
  override name = 'DagError'
  constructor(code: DagErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
