/**
 * Payloads of the package and result protocols (the network layer keeps them opaque) and the
 * hashes that votes sign. Everything is canonical JSON — object keys sorted at every level, no
 * whitespace, UTF-8 — so the same value always gives the same bytes and the same hash on every
 * node: `hash = keccak256(canonical bytes)`.
 *
 * - package hash: of the whole `WorkPackage` (id, block, round, group, chain, env, txs, slice,
 *   fee recipients).
 * - result hash: of `{packageId, results}` of a `GroupResult`, i.e. every transaction's status,
 *   receipt (type, status, gas, logs), exclusion, access set, write set and misses. Who executed
 *   it and when (`executorId`, `startedAt`, `finishedAt`) are left out: they differ between a
 *   sequencer and its voters for the same correct result.
 *
 * A decoded payload is shape-checked; anything else is NETWORK_MALFORMED.
 */
import { fromString, toString } from 'uint8arrays'
import { toHex, type SerializedError } from '../../src/common/index.js'
import { keccak256 } from '../../src/crypto/index.js'
import type { GroupResult, TxResult, WorkPackage } from '../../src/group-exec/index.js'
import { WireError } from '../errors.js'

/** Any JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/** Canonical JSON text: sorted keys, no whitespace; undefined object fields are dropped. */
export function canonicalJson(value: unknown): string {
  return write(value, '$')
}

function write(v: unknown, at: string): string {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(v)) throw new WireError('NETWORK_MALFORMED', `non-finite number at ${at}`)
      return JSON.stringify(v)
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x, i) => (x === undefined ? 'null' : write(x, `${at}[${i}]`))).join(',')}]`
      const o = v as Record<string, unknown>
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort()
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k], `${at}.${k}`)}`).join(',')}}`
    }
    default:
      throw new WireError('NETWORK_MALFORMED', `${typeof v} is not JSON at ${at}`)
  }
}

/** Canonical bytes of a value. */
export function canonicalBytes(value: unknown): Uint8Array {
  return fromString(canonicalJson(value), 'utf8')
}

/** keccak256 of the canonical bytes of a work package. */
export function packageHash(pkg: WorkPackage): Uint8Array {
  return keccak256(canonicalBytes(pkg))
}

/** keccak256 of what a result claims (everything but executor id and timestamps). */
export function resultHash(result: GroupResult): Uint8Array {
  return keccak256(canonicalBytes({ packageId: result.packageId, results: result.results }))
}

/** 0x-hex of a hash (map keys, reports). */
export const hashHex = toHex

// ---- package protocol payloads ----

/** A package to execute: sent to a group's sequencer and voters. */
export interface WorkMessage {
  kind: 'work'
  pkg: WorkPackage
  /** Node that collects the result and the votes. */
  replyTo: string
  /** Node that serves keys outside the slice (state protocol), or null: misses read as absent. */
  stateFrom: string | null
}

/** What the committer tells construction nodes after committing a block (or on restart). */
export interface CommitNotice {
  kind: 'committed'
  blockNumber: string
  blockHash: string
  stateRoot: string
  /** State written by the block: StateKey -> 0x value, null when deleted. */
  stateDiff: Record<string, string | null>
}

/** A planned block, from its construction node to the committer. */
export interface PlanMessage {
  kind: 'plan'
  blockNumber: string
  /** The plan in its JSON form (see roles/plan-codec.ts). */
  plan: Json
}

export type PackagePayload = WorkMessage | CommitNotice | PlanMessage

// ---- result protocol payloads ----

/** A sequencer's result for a package. */
export interface ResultMessage {
  kind: 'result'
  packageHash: string
  result: GroupResult
}

/** A sequencer could not execute a package (the error keeps its code). */
export interface FailureMessage {
  kind: 'failed'
  packageHash: string
  error: SerializedError
}

export type ResultPayload = ResultMessage | FailureMessage

/** Encodes a package-protocol payload. */
export function encodePackagePayload(p: PackagePayload): Uint8Array {
  return canonicalBytes(p)
}

/** Encodes a result-protocol payload. */
export function encodeResultPayload(p: ResultPayload): Uint8Array {
  return canonicalBytes(p)
}

/** Decodes and shape-checks a package-protocol payload. */
export function decodePackagePayload(bytes: Uint8Array): PackagePayload {
  const o = parseObject(bytes)
  switch (o.kind) {
    case 'work':
      need(isString(o.replyTo), 'work.replyTo')
      need(o.stateFrom === null || isString(o.stateFrom), 'work.stateFrom')
      checkPackage(o.pkg)
      return o as unknown as WorkMessage
    case 'committed':
      need(isString(o.blockNumber) && /^\d+$/.test(o.blockNumber), 'committed.blockNumber')
      need(isHex(o.blockHash) && isHex(o.stateRoot), 'committed hashes')
      need(isRecord(o.stateDiff) && Object.values(o.stateDiff).every((v) => v === null || isHex(v)), 'committed.stateDiff')
      return o as unknown as CommitNotice
    case 'plan':
      need(isString(o.blockNumber) && /^\d+$/.test(o.blockNumber), 'plan.blockNumber')
      need(isRecord(o.plan), 'plan.plan')
      return o as unknown as PlanMessage
    default:
      throw malformed(`unknown package payload kind ${String(o.kind)}`)
  }
}

/** Decodes and shape-checks a result-protocol payload. */
export function decodeResultPayload(bytes: Uint8Array): ResultPayload {
  const o = parseObject(bytes)
  need(isHex(o.packageHash) && (o.packageHash as string).length === 66, 'packageHash')
  switch (o.kind) {
    case 'result':
      checkResult(o.result)
      return o as unknown as ResultMessage
    case 'failed': {
      const e = o.error
      need(isRecord(e) && isString(e.code) && isString(e.message) && isRecord(e.details), 'failed.error')
      return o as unknown as FailureMessage
    }
    default:
      throw malformed(`unknown result payload kind ${String(o.kind)}`)
  }
}

/** Shape check of a WorkPackage (types of every field the runner reads). */
export function checkPackage(p: unknown): asserts p is WorkPackage {
  need(isRecord(p), 'pkg')
  need(isString(p.id) && isString(p.blockNumber) && /^\d+$/.test(p.blockNumber), 'pkg.id/blockNumber')
  need(isInt(p.round) && isInt(p.group), 'pkg.round/group')
  need(isRecord(p.chain) && isString(p.chain.kind) && isString(p.chain.chainId) && isString(p.chain.hardfork), 'pkg.chain')
  need(isRecord(p.env) && Object.values(p.env).every(isString), 'pkg.env')
  need(Array.isArray(p.txs) && p.txs.every((t) => isRecord(t) && isInt(t.index) && isHex(t.raw) && (t.senderPubKey === undefined || isHex(t.senderPubKey)) && (t.assumeNonce === undefined || t.assumeNonce === true)), 'pkg.txs')
  need(isRecord(p.slice), 'pkg.slice')
  for (const [addr, a] of Object.entries(p.slice)) {
    need(/^0x[0-9a-f]{40}$/.test(addr), 'pkg.slice address')
    if (a === null) continue
    need(isRecord(a) && isHex(a.balance) && isHex(a.nonce), 'pkg.slice account')
    need(a.code === undefined || isHex(a.code), 'pkg.slice code')
    need(a.storage === undefined || (isRecord(a.storage) && Object.values(a.storage).every(isHex)), 'pkg.slice storage')
  }
  need(Array.isArray(p.feeRecipients) && p.feeRecipients.every(isHex), 'pkg.feeRecipients')
}

/** Shape check of a GroupResult. */
export function checkResult(r: unknown): asserts r is GroupResult {
  need(isRecord(r) && isString(r.packageId) && isString(r.executorId), 'result ids')
  need(typeof r.startedAt === 'number' && typeof r.finishedAt === 'number', 'result timestamps')
  need(Array.isArray(r.results), 'result.results')
  for (const t of r.results as unknown[]) checkTxResult(t)
}

function checkTxResult(t: unknown): asserts t is TxResult {
  need(isRecord(t) && isInt(t.index) && (t.status === 'included' || t.status === 'excluded'), 'tx result')
  need(isRecord(t.access) && isRecord(t.writes) && Array.isArray(t.misses), 'tx result sets')
  need(t.senderPre === undefined || isHex(t.senderPre), 'tx result senderPre')
  if (t.status === 'included') {
    const rc = t.receipt
    need(isRecord(rc) && isInt(rc.txType) && (rc.status === 0 || rc.status === 1) && isString(rc.gasUsed) && Array.isArray(rc.logs), 'receipt')
  } else {
    need(isRecord(t.exclusion) && isString(t.exclusion.code), 'exclusion')
  }
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  let o: unknown
  try {
    o = JSON.parse(toString(bytes, 'utf8'))
  } catch (cause) {
    throw new WireError('NETWORK_MALFORMED', 'payload is not JSON', { cause })
  }
  if (!isRecord(o)) throw malformed('payload is not a JSON object')
  return o
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isString = (v: unknown): v is string => typeof v === 'string'
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)
const isHex = (v: unknown): v is string => typeof v === 'string' && /^0x[0-9a-fA-F]*$/.test(v)

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw malformed(`bad or missing ${what}`)
}

function malformed(message: string): WireError {
  return new WireError('NETWORK_MALFORMED', message)
}
