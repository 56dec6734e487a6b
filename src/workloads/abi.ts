/** A tiny ABI encoder for the static calls the workloads make (addresses, uint256, address[]). */
import { keccak256 } from '../crypto/index.js'
import { fromHex } from '../common/index.js'
import { u256Bytes } from '../common/index.js'

/** An argument: an address (0x string), a uint256 (bigint) or an address array. */
export type AbiArg = string | bigint | readonly string[]

/** The 4-byte selector of a function signature such as `transfer(address,uint256)`. */
export function selector(signature: string): Uint8Array {
  return keccak256(new TextEncoder().encode(signature)).subarray(0, 4)
}

function addressWord(a: string): Uint8Array {
  const out = new Uint8Array(32)
  out.set(fromHex(a), 12)
  return out
}

/** ABI-encodes arguments (head/tail layout; dynamic args are address arrays). */
export function encodeArgs(args: readonly AbiArg[]): Uint8Array {
  const heads: Uint8Array[] = []
  const tails: Uint8Array[] = []
  let tailOffset = 32 * args.length
  for (const a of args) {
    if (typeof a === 'bigint') heads.push(u256Bytes(a))
    else if (typeof a === 'string') heads.push(addressWord(a))
    else {
      heads.push(u256Bytes(BigInt(tailOffset)))
      const t = [u256Bytes(BigInt(a.length)), ...a.map(addressWord)]
      tails.push(...t)
      tailOffset += 32 * t.length
    }
  }
  const parts = [...heads, ...tails]
  const out = new Uint8Array(parts.length * 32)
  parts.forEach((p, i) => out.set(p, i * 32))
  return out
}

/** Calldata: selector of `signature` followed by the encoded arguments. */
export function encodeCall(signature: string, args: readonly AbiArg[] = []): Uint8Array {
  const sel = selector(signature)
  const body = encodeArgs(args)
  const out = new Uint8Array(4 + body.length)
  out.set(sel)
  out.set(body, 4)
  return out
}

/** Init code = creation bytecode followed by encoded constructor arguments. */
export function encodeDeploy(bytecode: string, args: readonly AbiArg[] = []): Uint8Array {
  const code = fromHex(bytecode)
  const body = encodeArgs(args)
  const out = new Uint8Array(code.length + body.length)
  out.set(code)
  out.set(body, code.length)
  return out
}

/** Reads the uint256 word at index `i` of return data. */
export function decodeWord(data: Uint8Array, i = 0): bigint {
  let v = 0n
  for (let j = i * 32; j < i * 32 + 32; j++) v = (v << 8n) | BigInt(data[j] ?? 0)
  return v
}
