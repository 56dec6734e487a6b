/**
 * Wire constants of the paradag network layer: protocol ids, message types, size limits, roles
 * and which role may author which message. Changing a number here changes the wire format, so
 * the version byte goes up with it.
 */

/** First byte of every envelope ('P'), so a stray non-paradag frame is recognised at once. */
export const WIRE_MAGIC = 0x50
/** Envelope format version; decoders reject any other value. */
export const WIRE_VERSION = 1

/** Roles of the distributed mode (DESIGN.md "Distributed mode"). */
export const ROLES = ['construction', 'sequencer', 'voter', 'committer'] as const
export type Role = (typeof ROLES)[number]

/** Message type byte of each envelope. */
export const MESSAGE_TYPE = {
  package: 1,
  result: 2,
  vote: 3,
  stateRequest: 4,
  stateResponse: 5,
  healthRequest: 6,
  healthResponse: 7,
  ack: 8,
  error: 9,
} as const
export type MessageTypeName = keyof typeof MESSAGE_TYPE
export type MessageType = (typeof MESSAGE_TYPE)[MessageTypeName]

/** Name of each type byte (the reverse of MESSAGE_TYPE). */
export const MESSAGE_TYPE_NAME: Readonly<Record<number, MessageTypeName>> = Object.freeze(
  Object.fromEntries(Object.entries(MESSAGE_TYPE).map(([k, v]) => [v, k as MessageTypeName])),
)

const KIB = 1024
const MIB = 1024 * KIB

/**
 * Largest whole envelope (header + payload + signature) accepted per message type. Packages
 * carry transactions plus the state slice with contract code, results carry receipts, access
 * sets and write sets; everything else is small.
 */
export const MAX_MESSAGE_SIZE: Readonly<Record<MessageTypeName, number>> = {
  package: 32 * MIB,
  result: 32 * MIB,
  vote: 1 * KIB,
  stateRequest: 4 * MIB,
  stateResponse: 32 * MIB,
  healthRequest: 1 * KIB,
  healthResponse: 4 * KIB,
  ack: 1 * KIB,
  error: 16 * KIB,
}

/** The largest envelope of any type: nothing bigger is ever parsed. */
export const MAX_ENVELOPE_SIZE = Math.max(...Object.values(MAX_MESSAGE_SIZE))

/**
 * Roles allowed to author each message type. Claims are strict (a vote only from a voter);
 * a committer may author packages because it reassigns a package on timeout or disagreement.
 */
export const MESSAGE_AUTHORS: Readonly<Record<MessageTypeName, readonly Role[]>> = {
  package: ['construction', 'committer'],
  result: ['sequencer'],
  vote: ['voter'],
  stateRequest: ['sequencer', 'voter', 'committer', 'construction'],
  stateResponse: ROLES,
  healthRequest: ROLES,
  healthResponse: ROLES,
  ack: ROLES,
  error: ROLES,
}

/** Protocol names; the wire id is `/paradag/<name>/1.0.0`. */
export const PROTOCOL = {
  package: '/paradag/package/1.0.0',
  result: '/paradag/result/1.0.0',
  vote: '/paradag/vote/1.0.0',
  state: '/paradag/state/1.0.0',
  health: '/paradag/health/1.0.0',
} as const
export type ProtocolName = keyof typeof PROTOCOL

/** Request and response message types of each protocol. */
export const PROTOCOL_MESSAGES: Readonly<Record<ProtocolName, { request: MessageTypeName; response: MessageTypeName }>> = {
  package: { request: 'package', response: 'ack' },
  result: { request: 'result', response: 'ack' },
  vote: { request: 'vote', response: 'ack' },
  state: { request: 'stateRequest', response: 'stateResponse' },
  health: { request: 'healthRequest', response: 'healthResponse' },
}

/** Envelope layout sizes (see codec.ts). */
export const ENVELOPE = {
  /** magic, version, type, flags, author length */
  prefixBytes: 5,
  maxAuthorBytes: 64,
  /** nonce u64, block number u64, timestamp u64, payload length u32 */
  fixedFieldBytes: 8 + 8 + 8 + 4,
  signatureBytes: 64,
} as const

/**
 * Replay window in nonce units. Nonces follow the sender's clock in microseconds, so this lets
 * a message arrive up to 2 minutes (of the sender's clock) behind a later one from the same
 * author before it is refused as too old.
 */
export const REPLAY_WINDOW = 120_000_000
/** Most nonces remembered per author; beyond it the oldest are forgotten and become too old. */
export const REPLAY_MAX_TRACKED = 65_536
/** Largest accepted |local clock - envelope timestamp|. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000

/** Defaults of requests and inbound streams. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/** How long a server waits for the request frame on a fresh stream (slow senders are cut). */
export const INBOUND_READ_TIMEOUT_MS = 10_000
export const MAX_INBOUND_STREAMS = 64
export const MAX_OUTBOUND_STREAMS = 64

/** Vote payload: result hash, package hash, block number. */
export const HASH_BYTES = 32
export const VOTE_PAYLOAD_BYTES = HASH_BYTES + HASH_BYTES + 8
/** Most keys in one state request. */
export const MAX_STATE_KEYS = 65_536
