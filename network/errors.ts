/**
 * Coded errors of the network layer (STYLE.md #5). Tests and callers branch on `code`.
 * Wire errors are what the codec and the protocol handlers reject; a remote node's rejection
 * comes back as a `RemoteError` that keeps the remote code.
 */
import { ParadagError } from '../src/common/index.js'
import type { ParadagErrorOptions, SerializedError } from '../src/common/index.js'

/** Codes of messages the codec or a handler rejects. */
export const WIRE_ERROR_CODES = [
  'NETWORK_UNSUPPORTED_VERSION',
  'NETWORK_UNKNOWN_MESSAGE_TYPE',
  'NETWORK_MESSAGE_TOO_LARGE',
  'NETWORK_TRUNCATED',
  'NETWORK_MALFORMED',
  'NETWORK_BAD_SIGNATURE',
  'NETWORK_UNKNOWN_AUTHOR',
  'NETWORK_ROLE_NOT_ALLOWED',
  'NETWORK_AUTHOR_MISMATCH',
  'NETWORK_REPLAY',
  'NETWORK_STALE',
  'NETWORK_UNEXPECTED_MESSAGE',
] as const
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number]

/** Codes of transport and service failures. */
export type TransportErrorCode =
  | 'NETWORK_TIMEOUT'
  | 'NETWORK_ABORTED'
  | 'NETWORK_UNKNOWN_PEER'
  | 'NETWORK_DIAL_FAILED'
  | 'NETWORK_STREAM_FAILED'
  | 'NETWORK_NOT_A_MEMBER'
  | 'NETWORK_NOT_STARTED'
  | 'NETWORK_NO_HANDLER'
  | 'NETWORK_HANDLER_FAILED'

export type IdentityErrorCode = 'KEY_FILE_NOT_FOUND' | 'KEY_FILE_INVALID' | 'KEY_FILE_INSECURE' | 'KEY_FILE_EXISTS'
export type MembershipErrorCode = 'MEMBERSHIP_NOT_FOUND' | 'MEMBERSHIP_INVALID'

/** A message was rejected by the codec or a protocol check. */
export class WireError extends ParadagError {
  override name = 'WireError'
  declare readonly code: WireErrorCode
  constructor(code: WireErrorCode, message: string, options?: ParadagErrorOptions) {
    super(code, message, options)
  }
}

/** A transport, timeout or service failure. */
export class NetworkError extends ParadagError {
  override name = 'NetworkError'
  declare readonly code: TransportErrorCode
  constructor(code: TransportErrorCode, message: string, options?: ParadagErrorOptions) {
    super(code, message, options)
  }
}

/** The remote node answered with an error envelope; `code` is the remote code. */
export class RemoteError extends ParadagError {
  override name = 'RemoteError'
  /** Peer id (string) of the node that rejected the request. */
  readonly remotePeer: string
  constructor(remotePeer: string, err: SerializedError) {
    super(err.code, err.message, { details: { ...err.details, remote: true, remotePeer } })
    this.remotePeer = remotePeer
  }
}

/** A key file is missing, unreadable, malformed or readable by others. */
export class IdentityError extends ParadagError {
  override name = 'IdentityError'
  declare readonly code: IdentityErrorCode
  constructor(code: IdentityErrorCode, message: string, options?: ParadagErrorOptions) {
    super(code, message, options)
  }
}

/** A membership config is missing or invalid (`details.path` says where). */
export class MembershipError extends ParadagError {
  override name = 'MembershipError'
  declare readonly code: MembershipErrorCode
  constructor(code: MembershipErrorCode, message: string, options?: ParadagErrorOptions) {
    super(code, message, options)
  }
}

/** True when `code` is one of the wire rejection codes. */
export function isWireErrorCode(code: string): code is WireErrorCode {
  return (WIRE_ERROR_CODES as readonly string[]).includes(code)
}
