import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type PipelineErrorCode =
  | 'TX_MALFORMED'
  | 'TX_UNSIGNED'
  | 'TX_BAD_SIGNATURE'
  | 'TX_INVALID'
  | 'TX_BLOCK_GAS_EXCEEDED'
  | 'PIPELINE_ROUND_LIMIT'
  | 'PIPELINE_BAD_INPUT'

/** Errors of the block pipeline (prepare, sequential and parallel execution). */
export class PipelineError extends ParadagError {
  override name = 'PipelineError'
  constructor(code: PipelineErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
