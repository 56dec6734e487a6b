/**
 * Engine-API payload attributes for OP blocks (`OpPayloadAttributes`): the inputs op-node hands the
 * execution engine. Parsed from JSON with coded errors naming any missing or malformed field.
 */
import { fromHex } from '../common/bytes.js'
import { ChainError } from './errors.js'

/** Parsed payload attributes. */
export interface OpPayloadAttributes {
  timestamp: bigint
  prevRandao: Uint8Array
  suggestedFeeRecipient: Uint8Array
  parentBeaconBlockRoot?: Uint8Array | undefined
  /** Raw EIP-2718 encodings, deposits first. */
  transactions: Uint8Array[]
  gasLimit: bigint
  /** Holocene+: 8 bytes (denominator u32, elasticity u32). */
  eip1559Params?: Uint8Array | undefined
  /** Jovian+: minimum base fee in wei. */
  minBaseFee?: bigint | undefined
}

function field(o: Record<string, unknown>, name: string, what: string): unknown {
  const v = o[name]
  if (v === undefined || v === null) {
    throw new ChainError('CHAIN_MISSING_FIELD', `${what} is missing field ${name}`, { details: { field: `${what}.${name}` } })
  }
  return v
}

function hexField(v: unknown, name: string, size?: number): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) {
    throw new ChainError('CHAIN_INVALID_FIELD', `${name} is not an even-length 0x-hex string`, { details: { field: name } })
  }
  const b = fromHex(v)
  if (size !== undefined && b.length !== size) {
    throw new ChainError('CHAIN_INVALID_FIELD', `${name} must be ${size} bytes, got ${b.length}`, { details: { field: name } })
  }
  return b
}

function quantity(v: unknown, name: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v)
  throw new ChainError('CHAIN_INVALID_FIELD', `${name} is not a quantity`, { details: { field: name } })
}

/** Parses JSON payload attributes. */
export function parsePayloadAttributes(json: unknown, what = 'payloadAttributes'): OpPayloadAttributes {
  if (json === null || typeof json !== 'object') throw new ChainError('CHAIN_INVALID_FIELD', `${what} is not an object`, { details: { field: what } })
  const o = json as Record<string, unknown>
  const txs = field(o, 'transactions', what)
  if (!Array.isArray(txs)) throw new ChainError('CHAIN_INVALID_FIELD', `${what}.transactions is not an array`, { details: { field: `${what}.transactions` } })
  const withdrawals = o['withdrawals']
  if (Array.isArray(withdrawals) && withdrawals.length > 0) {
    throw new ChainError('CHAIN_INVALID_FIELD', `${what}.withdrawals must be empty on the OP stack`, { details: { field: `${what}.withdrawals` } })
  }
  const pbr = o['parentBeaconBlockRoot']
  const eip = o['eip1559Params']
  const minBaseFee = o['minBaseFee']
  return {
    timestamp: quantity(field(o, 'timestamp', what), `${what}.timestamp`),
    prevRandao: hexField(field(o, 'prevRandao', what), `${what}.prevRandao`, 32),
    suggestedFeeRecipient: hexField(field(o, 'suggestedFeeRecipient', what), `${what}.suggestedFeeRecipient`, 20),
    parentBeaconBlockRoot: pbr === undefined || pbr === null ? undefined : hexField(pbr, `${what}.parentBeaconBlockRoot`, 32),
    transactions: txs.map((t, i) => hexField(t, `${what}.transactions[${i}]`)),
    gasLimit: quantity(field(o, 'gasLimit', what), `${what}.gasLimit`),
    eip1559Params: eip === undefined || eip === null ? undefined : hexField(eip, `${what}.eip1559Params`, 8),
    minBaseFee: minBaseFee === undefined || minBaseFee === null ? undefined : quantity(minBaseFee, `${what}.minBaseFee`),
  }
}
