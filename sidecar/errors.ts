import { ParadagError, type ParadagErrorOptions } from '../src/common/index.js'

export type SidecarErrorCode =
  /** The node did not answer within the timeout. */
  | 'SIDECAR_RPC_TIMEOUT'
  /** The node could not be reached (connection refused, reset, DNS). */
  | 'SIDECAR_RPC_UNREACHABLE'
  /** The node answered with a non-2xx HTTP status. */
  | 'SIDECAR_RPC_HTTP'
  /** The body is not JSON. */
  | 'SIDECAR_RPC_MALFORMED_JSON'
  /** The body is JSON but not a JSON-RPC 2.0 response to our request (no result/error, wrong id). */
  | 'SIDECAR_RPC_BAD_RESPONSE'
  /** The node answered with a JSON-RPC error object. */
  | 'SIDECAR_RPC_ERROR'
  /** The node does not offer the method (-32601 or "not supported"). */
  | 'SIDECAR_RPC_METHOD_UNAVAILABLE'
  /** An answer lacks a required field. */
  | 'SIDECAR_RPC_MISSING_FIELD'
  /** An answer has a field of the wrong type or size, or inconsistent content (hash mismatch). */
  | 'SIDECAR_RPC_INVALID_FIELD'
  /** The node has no block at that height (yet). */
  | 'SIDECAR_BLOCK_NOT_FOUND'
  /** The caller aborted. */
  | 'SIDECAR_ABORTED'
  /** No witness could be assembled for a block (no debug_executionWitness, no eth_getProof). */
  | 'SIDECAR_WITNESS_UNAVAILABLE'
  /** Bad sidecar configuration (rollup config, flags). */
  | 'SIDECAR_CONFIG_INVALID'
  /** A planning/replay API request with bad parameters. */
  | 'SIDECAR_BAD_REQUEST'
  /** A transaction in an answer uses a type this sidecar cannot re-encode. */
  | 'SIDECAR_TX_UNSUPPORTED'

/** Errors of the sidecar (RPC client, follower, servers). */
export class SidecarError extends ParadagError {
  override name = 'SidecarError'
  constructor(code: SidecarErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}

/** True for errors worth retrying against the same node (transport-level, not answers). */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof SidecarError)) return false
  return err.code === 'SIDECAR_RPC_TIMEOUT' || err.code === 'SIDECAR_RPC_UNREACHABLE' || (err.code === 'SIDECAR_RPC_HTTP' && isRetryableStatus(err.details['status']))
}

function isRetryableStatus(s: unknown): boolean {
  return typeof s === 'number' && (s === 429 || s >= 500)
}
