/**
 * Deposit transactions (EIP-2718 type 0x7E): `0x7E || rlp([sourceHash, from, to, mint, value,
 * gas, isSystemTx, data])`. No signature, nonce or fee fields; the hash is keccak256 of the typed
 * encoding. A plain data type, so it sits next to ethereumjs' typed transactions in one union.
 */
import { RLP } from '@ethereumjs/rlp'
import { Address, bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { DEPOSIT_TX_TYPE } from './constants.js'
import { ChainError } from './errors.js'

/** A decoded deposit transaction. */
export interface DepositTx {
  readonly kind: 'deposit'
  readonly type: typeof DEPOSIT_TX_TYPE
  sourceHash: Uint8Array
  from: Address
  /** undefined = contract creation */
  to: Address | undefined
  mint: bigint
  value: bigint
  gasLimit: bigint
  isSystemTx: boolean
  data: Uint8Array
}

/** Fields for building a deposit (defaults: zero mint/value, not a system tx, empty data). */
export interface DepositTxFields {
  sourceHash: Uint8Array
  from: Address
  to?: Address | undefined
  mint?: bigint
  value?: bigint
  gasLimit: bigint
  isSystemTx?: boolean
  data?: Uint8Array
}

/** Builds a deposit transaction from fields. */
export function createDepositTx(f: DepositTxFields): DepositTx {
  if (f.sourceHash.length !== 32) throw new ChainError('CHAIN_TX_MALFORMED', 'deposit sourceHash must be 32 bytes')
  return {
    kind: 'deposit',
    type: DEPOSIT_TX_TYPE,
    sourceHash: f.sourceHash,
    from: f.from,
    to: f.to,
    mint: f.mint ?? 0n,
    value: f.value ?? 0n,
    gasLimit: f.gasLimit,
    isSystemTx: f.isSystemTx ?? false,
    data: f.data ?? new Uint8Array(0),
  }
}

/** True when `raw` starts with the deposit type byte. */
export function isDepositEncoding(raw: Uint8Array): boolean {
  return raw[0] === DEPOSIT_TX_TYPE
}

/** The typed encoding `0x7E || rlp([...])`. */
export function encodeDepositTx(tx: DepositTx): Uint8Array {
  const body = RLP.encode([
    tx.sourceHash,
    tx.from.bytes,
    tx.to === undefined ? new Uint8Array(0) : tx.to.bytes,
    bigIntToUnpaddedBytes(tx.mint),
    bigIntToUnpaddedBytes(tx.value),
    bigIntToUnpaddedBytes(tx.gasLimit),
    tx.isSystemTx ? new Uint8Array([1]) : new Uint8Array(0),
    tx.data,
  ])
  const out = new Uint8Array(body.length + 1)
  out[0] = DEPOSIT_TX_TYPE
  out.set(body, 1)
  return out
}

/** keccak256 of the typed encoding. */
export function depositTxHash(tx: DepositTx): Uint8Array {
  return keccak_256(encodeDepositTx(tx))
}

function scalar(b: Uint8Array, field: string, maxBytes: number): bigint {
  if (b.length > maxBytes) throw new ChainError('CHAIN_TX_MALFORMED', `deposit ${field} is longer than ${maxBytes} bytes`)
  if (b.length > 0 && b[0] === 0) throw new ChainError('CHAIN_TX_MALFORMED', `deposit ${field} has leading zero bytes`)
  return bytesToBigInt(b)
}

/** Decodes `0x7E || rlp([...])`; malformed input raises CHAIN_TX_MALFORMED. */
export function decodeDepositTx(raw: Uint8Array): DepositTx {
  if (!isDepositEncoding(raw)) throw new ChainError('CHAIN_TX_MALFORMED', 'not a deposit transaction (type byte is not 0x7e)')
  let decoded: unknown
  try {
    decoded = RLP.decode(raw.subarray(1))
  } catch (cause) {
    throw new ChainError('CHAIN_TX_MALFORMED', 'deposit transaction is not valid RLP', { cause })
  }
  if (!Array.isArray(decoded) || decoded.length !== 8 || decoded.some((x) => !(x instanceof Uint8Array))) {
    throw new ChainError('CHAIN_TX_MALFORMED', 'deposit transaction must be an RLP list of 8 byte strings')
  }
  const [sourceHash, from, to, mint, value, gas, isSystem, data] = decoded as Uint8Array[] as [
    Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array,
  ]
  if (sourceHash.length !== 32) throw new ChainError('CHAIN_TX_MALFORMED', 'deposit sourceHash must be 32 bytes')
  if (from.length !== 20) throw new ChainError('CHAIN_TX_MALFORMED', 'deposit from must be 20 bytes')
  if (to.length !== 0 && to.length !== 20) throw new ChainError('CHAIN_TX_MALFORMED', 'deposit to must be empty or 20 bytes')
  if (isSystem.length > 1 || (isSystem.length === 1 && isSystem[0] !== 1)) {
    throw new ChainError('CHAIN_TX_MALFORMED', 'deposit isSystemTx must be RLP false (0x80) or true (0x01)')
  }
  return {
    kind: 'deposit',
    type: DEPOSIT_TX_TYPE,
    sourceHash,
    from: new Address(from),
    to: to.length === 0 ? undefined : new Address(to),
    mint: scalar(mint, 'mint', 32),
    value: scalar(value, 'value', 32),
    gasLimit: scalar(gas, 'gas', 8),
    isSystemTx: isSystem.length === 1,
    data,
  }
}

/** JSON form of a deposit (for reports and RPC-like output). */
export function depositTxToJson(tx: DepositTx): Record<string, string | boolean | null> {
  return {
    type: '0x7e',
    sourceHash: bytesToHex(tx.sourceHash),
    from: tx.from.toString(),
    to: tx.to === undefined ? null : tx.to.toString(),
    mint: `0x${tx.mint.toString(16)}`,
    value: `0x${tx.value.toString(16)}`,
    gas: `0x${tx.gasLimit.toString(16)}`,
    isSystemTx: tx.isSystemTx,
    input: bytesToHex(tx.data),
    hash: bytesToHex(depositTxHash(tx)),
  }
}
