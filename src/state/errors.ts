import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type StateErrorCode =
  | 'STATE_CODE_MISSING'
  | 'STATE_NO_ROOT'
  | 'STATE_WITNESS_MISSING_NODE'
  | 'STATE_WITNESS_MISSING_CODE'
  | 'STATE_WITNESS_INVALID'
  | 'STATE_INVALID_WRITE'
  | 'STATE_WITNESS_MISSING_HEADER'
  | 'STATE_MISSING_TRIE_NODE'
  | 'STATE_TRIE_CORRUPT'
  | 'STATE_SNAPSHOT_INVALID'

/** Errors of the state backends. */
export class StateError extends ParadagError {
  override name = 'StateError'
  constructor(code: StateErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
