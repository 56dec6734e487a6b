/** Byte and hex helpers shared by every module (Node's Buffer for hex out, `uint8arrays` for hex in). */
import { fromString } from 'uint8arrays'

/** 0x-prefixed lowercase hex of bytes (Node's native encoder: about 8x faster than `uint8arrays` here). */
export function toHex(b: Uint8Array): string {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`
}

/** Bytes of a hex string, with or without 0x; odd lengths are left-padded. */
export function fromHex(h: string): Uint8Array {
  let s = h.startsWith('0x') || h.startsWith('0X') ? h.slice(2) : h
  if (s.length % 2 === 1) s = `0${s}`
  return fromString(s.toLowerCase(), 'base16')
}

/** 0x-hex of a bigint (minimal, `0x0` for zero). */
export function bigToHex(v: bigint): string {
  return `0x${v.toString(16)}`
}

/** 32-byte big-endian encoding of an unsigned 256-bit integer. */
export function u256Bytes(v: bigint): Uint8Array {
  const out = new Uint8Array(32)
  let x = v
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

/** Value of each ASCII hex digit (either case); -1 for every other character below 128. */
const HEX_DIGIT = (() => {
  const t = new Int8Array(128).fill(-1)
  for (let c = 0; c < 10; c++) t[48 + c] = c
  for (let c = 0; c < 6; c++) t[65 + c] = t[97 + c] = 10 + c
  return t
})()

/**
 * Decodes the `2 * n` hex digits of `hex` from index `from` into `out[at .. at + n)`, in this
 * thread (no call into Node's native decoder, which costs more than decoding a 32-byte word).
 * False, with `out` partly written, at the first character that is not a hex digit.
 */
export function hexInto(hex: string, from: number, out: Uint8Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const a = hex.charCodeAt(from + 2 * i)
    const b = hex.charCodeAt(from + 2 * i + 1)
    const hi = a < 128 ? HEX_DIGIT[a]! : -1
    const lo = b < 128 ? HEX_DIGIT[b]! : -1
    if ((hi | lo) < 0) return false
    out[at + i] = (hi << 4) | lo
  }
  return true
}
