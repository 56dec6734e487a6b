import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type PartitionErrorCode = 'PARTITION_INVALID_GROUPS' | 'PARTITION_INVALID_INPUT' | 'PARTITION_UNKNOWN_STRATEGY'

/** Errors of the partitioner. */
export class PartitionError extends ParadagError {
  override name = 'PartitionError'
  constructor(code: PartitionErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
