import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type ChainErrorCode =
  /** The rollup config activates a fork this code does not know, or a fork it cannot execute. */
  | 'CHAIN_UNKNOWN_FORK'
  | 'CHAIN_UNSUPPORTED_FORK'
  /** A rollup config, header, payload or fixture is missing a field or has a malformed one. */
  | 'CHAIN_MISSING_FIELD'
  | 'CHAIN_INVALID_FIELD'
  /** A raw transaction could not be decoded. */
  | 'CHAIN_TX_MALFORMED'
  /** A transaction type that is not allowed on the OP stack at this fork (blob txs, unknown types). */
  | 'CHAIN_TX_UNSUPPORTED_TYPE'
  /** A transaction that decodes but is invalid against the state (nonce, balance, gas...). */
  | 'CHAIN_TX_INVALID'
  /** The block's transactions exceed its gas limit. */
  | 'CHAIN_BLOCK_GAS_EXCEEDED'
  /** The L1 attributes (L1Block storage) were needed before they were available. */
  | 'CHAIN_L1_INFO_MISSING'
  /** An EIP-1559 parameter encoding (eip1559Params or extraData) is invalid. */
  | 'CHAIN_INVALID_EIP1559_PARAMS'
  /** A rebuilt block does not match the expected hash. */
  | 'CHAIN_BLOCK_MISMATCH'

/** Errors of the OP-stack chain rules. */
export class ChainError extends ParadagError {
  override name = 'ChainError'
  constructor(code: ChainErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
