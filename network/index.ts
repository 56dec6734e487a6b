/**
 * The network layer's public face: identities, membership, the wire codec, and paradag nodes
 * serving the package, result, vote, state and health protocols over libp2p.
 */
import './polyfill.js'

export {
  WIRE_MAGIC,
  WIRE_VERSION,
  ROLES,
  MESSAGE_TYPE,
  MESSAGE_TYPE_NAME,
  MAX_MESSAGE_SIZE,
  MAX_ENVELOPE_SIZE,
  MESSAGE_AUTHORS,
  PROTOCOL,
  PROTOCOL_MESSAGES,
  ENVELOPE,
  REPLAY_WINDOW,
  REPLAY_MAX_TRACKED,
  MAX_CLOCK_SKEW_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  INBOUND_READ_TIMEOUT_MS,
  HASH_BYTES,
  VOTE_PAYLOAD_BYTES,
  MAX_STATE_KEYS,
} from './constants.js'
export type { Role, MessageType, MessageTypeName, ProtocolName } from './constants.js'

export { WireError, NetworkError, RemoteError, IdentityError, MembershipError, WIRE_ERROR_CODES, isWireErrorCode } from './errors.js'
export type { WireErrorCode, TransportErrorCode, IdentityErrorCode, MembershipErrorCode } from './errors.js'

export { generateIdentity, loadIdentity, writeIdentity, identityToJson, identityFromJson } from './identity.js'
export type { Identity, LoadIdentityOptions } from './identity.js'

export { Membership, loadMembership } from './membership.js'
export type { Member, MemberConfig, MembershipConfig, ExecutionGroup } from './membership.js'

export { EnvelopeSigner, parseEnvelope, verifyEnvelope, decodeEnvelope } from './codec.js'
export type { Envelope, EnvelopeFields, ParsedEnvelope, VerifyOptions, FrameBytes } from './codec.js'

export { ReplayGuard } from './replay-guard.js'
export type { ReplayGuardOptions } from './replay-guard.js'

export {
  encodeVote,
  decodeVote,
  encodeStateRequest,
  decodeStateRequest,
  encodeStateResponse,
  decodeStateResponse,
  encodeHealth,
  decodeHealth,
  encodeErrorPayload,
  decodeErrorPayload,
  isStateKey,
} from './payloads.js'
export type { Vote, StateEntries, HealthStatus } from './payloads.js'

export { membershipGater } from './gater.js'

export { createParadagNode } from './node.js'
export type {
  ParadagNode,
  ParadagNodeOptions,
  RequestOptions,
  BlockMessage,
  RejectionEvent,
  NetworkStats,
  EnvelopeHandler,
  VoteHandler,
  StateHandler,
  HealthProvider,
  PingResult,
} from './node.js'

export { ChainStore, ChainStoreError, openChainStore } from './chain-store.js'
export type { StoredBlock, ChainHead, ChainStoreOptions, ChainStoreErrorCode, PutResult, JsonValue } from './chain-store.js'
