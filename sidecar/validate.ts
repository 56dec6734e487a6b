/**
 * Strict readers for JSON answers: each names the offending field (`what`) in a coded error.
 * Quantities are 0x-hex without leading zeros tolerated (nodes differ), data is even-length hex.
 */
import { fromHex } from '../src/common/index.js'
import { SidecarError } from './errors.js'

export type Json = Record<string, unknown>

/** The value as an object, or SIDECAR_RPC_INVALID_FIELD. */
export function asObject(v: unknown, what: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(what, 'is not an object')
  return v as Json
}

/** The value as an array, or SIDECAR_RPC_INVALID_FIELD. */
export function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw invalid(what, 'is not an array')
  return v
}

/** A required member. */
export function req(o: Json, key: string, what: string): unknown {
  const v = o[key]
  if (v === undefined || v === null) {
    throw new SidecarError('SIDECAR_RPC_MISSING_FIELD', `${what} is missing field ${key}`, { details: { field: `${what}.${key}` } })
  }
  return v
}

/** An optional member (undefined for absent or null). */
export function opt(o: Json, key: string): unknown {
  const v = o[key]
  return v === null ? undefined : v
}

export function invalid(what: string, why: string): SidecarError {
  return new SidecarError('SIDECAR_RPC_INVALID_FIELD', `${what} ${why}`, { details: { field: what } })
}

/** A JSON-RPC quantity (0x-hex; decimal numbers are accepted where nodes use them). */
export function quantity(v: unknown, what: string): bigint {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v)
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  throw invalid(what, `is not a quantity: ${short(v)}`)
}

/** A small quantity as a JS number. */
export function smallQuantity(v: unknown, what: string): number {
  const q = quantity(v, what)
  if (q > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(what, 'is too large')
  return Number(q)
}

/** Even-length 0x-hex data, optionally of a fixed size. */
export function data(v: unknown, what: string, size?: number): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw invalid(what, `is not even-length 0x-hex data: ${short(v)}`)
  const b = fromHex(v)
  if (size !== undefined && b.length !== size) throw invalid(what, `must be ${size} bytes, got ${b.length}`)
  return b
}

/** Lowercase 0x-hex of a 32-byte hash. */
export function hash32(v: unknown, what: string): string {
  data(v, what, 32)
  return (v as string).toLowerCase()
}

/** Lowercase 0x-hex of a 20-byte address. */
export function address(v: unknown, what: string): string {
  data(v, what, 20)
  return (v as string).toLowerCase()
}

/** A boolean, also accepting the 0x0/0x1 some nodes use. */
export function bool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v
  if (v === '0x0' || v === '0x1') return v === '0x1'
  throw invalid(what, `is not a boolean: ${short(v)}`)
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}
