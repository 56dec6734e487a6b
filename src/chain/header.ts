/**
 * Block headers in the OP-stack (post-London) layout: RLP encoding, hash and the JSON-RPC form.
 * Optional trailing fields (baseFee, withdrawalsRoot, blob gas, beacon root, requestsHash) are
 * encoded when present, in order, as in go-ethereum.
 */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { fromHex } from '../common/bytes.js'
import { ChainError } from './errors.js'

/** A block header. Byte fields are fixed-size (hashes 32, address 20, bloom 256, nonce 8). */
export interface OpHeader {
  parentHash: Uint8Array
  ommersHash: Uint8Array
  coinbase: Uint8Array
  stateRoot: Uint8Array
  transactionsRoot: Uint8Array
  receiptsRoot: Uint8Array
  logsBloom: Uint8Array
  difficulty: bigint
  number: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  extraData: Uint8Array
  mixHash: Uint8Array
  nonce: Uint8Array
  baseFeePerGas?: bigint | undefined
  withdrawalsRoot?: Uint8Array | undefined
  blobGasUsed?: bigint | undefined
  excessBlobGas?: bigint | undefined
  parentBeaconBlockRoot?: Uint8Array | undefined
  requestsHash?: Uint8Array | undefined
}

/** Header field names in encoding order, with their JSON-RPC names. */
export const HEADER_FIELDS = [
  ['parentHash', 'parentHash'],
  ['ommersHash', 'sha3Uncles'],
  ['coinbase', 'miner'],
  ['stateRoot', 'stateRoot'],
  ['transactionsRoot', 'transactionsRoot'],
  ['receiptsRoot', 'receiptsRoot'],
  ['logsBloom', 'logsBloom'],
  ['difficulty', 'difficulty'],
  ['number', 'number'],
  ['gasLimit', 'gasLimit'],
  ['gasUsed', 'gasUsed'],
  ['timestamp', 'timestamp'],
  ['extraData', 'extraData'],
  ['mixHash', 'mixHash'],
  ['nonce', 'nonce'],
  ['baseFeePerGas', 'baseFeePerGas'],
  ['withdrawalsRoot', 'withdrawalsRoot'],
  ['blobGasUsed', 'blobGasUsed'],
  ['excessBlobGas', 'excessBlobGas'],
  ['parentBeaconBlockRoot', 'parentBeaconBlockRoot'],
  ['requestsHash', 'requestsHash'],
] as const satisfies ReadonlyArray<readonly [keyof OpHeader, string]>

const BYTE_SIZES: Partial<Record<keyof OpHeader, number>> = {
  parentHash: 32,
  ommersHash: 32,
  coinbase: 20,
  stateRoot: 32,
  transactionsRoot: 32,
  receiptsRoot: 32,
  logsBloom: 256,
  mixHash: 32,
  nonce: 8,
  withdrawalsRoot: 32,
  parentBeaconBlockRoot: 32,
  requestsHash: 32,
}
const OPTIONAL_START = 15

/** RLP list items of the header (optional fields stop at the first absent one). */
function headerItems(h: OpHeader): Uint8Array[] {
  const items: Uint8Array[] = []
  for (let i = 0; i < HEADER_FIELDS.length; i++) {
    const key = (HEADER_FIELDS[i] as readonly [keyof OpHeader, string])[0]
    const v = h[key]
    if (v === undefined) {
      if (i < OPTIONAL_START) throw new ChainError('CHAIN_MISSING_FIELD', `header field ${key} is missing`, { details: { field: key } })
      break
    }
    items.push(typeof v === 'bigint' ? bigIntToUnpaddedBytes(v) : v)
  }
  return items
}

/** RLP encoding of the header. */
export function encodeHeader(h: OpHeader): Uint8Array {
  return RLP.encode(headerItems(h))
}

/** keccak256 of the RLP encoding: the block hash. */
export function headerHash(h: OpHeader): Uint8Array {
  return keccak_256(encodeHeader(h))
}

/** Decodes an RLP-encoded header (used for ancestor headers in a witness). */
export function decodeHeader(rlp: Uint8Array): OpHeader {
  let d: unknown
  try {
    d = RLP.decode(rlp)
  } catch (cause) {
    throw new ChainError('CHAIN_INVALID_FIELD', 'header is not valid RLP', { cause })
  }
  if (!Array.isArray(d) || d.length < OPTIONAL_START || d.some((x) => !(x instanceof Uint8Array))) {
    throw new ChainError('CHAIN_INVALID_FIELD', 'header RLP is not a list of at least 15 byte strings')
  }
  const out: Record<string, unknown> = {}
  ;(d as Uint8Array[]).forEach((item, i) => {
    const entry = HEADER_FIELDS[i]
    if (entry === undefined) return
    const key = entry[0]
    out[key] = BYTE_SIZES[key] !== undefined || key === 'extraData' ? item : bytesToBig(item)
  })
  return out as unknown as OpHeader
}

function bytesToBig(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(bytesToHex(b))
}

/** Parses a JSON-RPC header object; missing or malformed fields raise coded errors naming the field. */
export function headerFromJson(json: unknown, what = 'header'): OpHeader {
  if (json === null || typeof json !== 'object') throw new ChainError('CHAIN_INVALID_FIELD', `${what} is not an object`, { details: { field: what } })
  const o = json as Record<string, unknown>
  const out: Record<string, unknown> = {}
  HEADER_FIELDS.forEach(([key, jsonName], i) => {
    const v = o[jsonName] ?? o[key]
    if (v === undefined || v === null) {
      if (i < OPTIONAL_START) {
        throw new ChainError('CHAIN_MISSING_FIELD', `${what} is missing field ${jsonName}`, { details: { field: `${what}.${jsonName}` } })
      }
      return
    }
    if (typeof v !== 'string' || !/^0x[0-9a-fA-F]*$/.test(v)) {
      throw new ChainError('CHAIN_INVALID_FIELD', `${what}.${jsonName} is not a 0x-hex string`, { details: { field: `${what}.${jsonName}` } })
    }
    const size = BYTE_SIZES[key]
    if (size !== undefined) {
      const b = fromHex(v)
      if (b.length !== size) {
        throw new ChainError('CHAIN_INVALID_FIELD', `${what}.${jsonName} must be ${size} bytes, got ${b.length}`, {
          details: { field: `${what}.${jsonName}` },
        })
      }
      out[key] = b
    } else if (key === 'extraData') out[key] = fromHex(v)
    else out[key] = BigInt(v === '0x' ? '0x0' : v)
  })
  // Optional fields must be contiguous: a later one without an earlier one cannot be encoded.
  let gap = false
  for (let i = OPTIONAL_START; i < HEADER_FIELDS.length; i++) {
    const key = (HEADER_FIELDS[i] as readonly [keyof OpHeader, string])[0]
    if (out[key] === undefined) gap = true
    else if (gap) throw new ChainError('CHAIN_INVALID_FIELD', `${what}.${key} is set but an earlier optional field is missing`)
  }
  return out as unknown as OpHeader
}

/** JSON-RPC form of a header (0x-hex). */
export function headerToJson(h: OpHeader): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, jsonName] of HEADER_FIELDS) {
    const v = h[key]
    if (v === undefined) continue
    out[jsonName] = typeof v === 'bigint' ? `0x${v.toString(16)}` : bytesToHex(v)
  }
  return out
}
