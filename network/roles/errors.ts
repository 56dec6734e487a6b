/** Coded errors of the distributed roles (quorum, reassignment, services, testnet). */
import { ParadagError } from '../../src/common/index.js'
import type { ParadagErrorOptions } from '../../src/common/index.js'

export type RoleErrorCode =
  | 'ROLE_QUORUM_TIMEOUT'
  | 'ROLE_DISAGREEMENT'
  | 'ROLE_EQUIVOCATION'
  | 'ROLE_BAD_SIGNATURE'
  | 'ROLE_REMOTE_FAILED'
  | 'ROLE_NO_GROUP'
  | 'ROLE_UNEXPECTED'
  | 'ROLE_NO_STATE'
  | 'ROLE_STOPPED'
  | 'ROLE_BAD_CONFIG'
  | 'ROLE_BLOCK_FAILED'
  | 'TESTNET_FAILED'
  | 'TESTNET_INTERRUPTED'

/** A role refused, timed out, or detected a fault. */
export class RoleError extends ParadagError {
  override name = 'RoleError'
  declare readonly code: RoleErrorCode
  constructor(code: RoleErrorCode, message: string, options?: ParadagErrorOptions) {
    super(code, message, options)
  }
}
