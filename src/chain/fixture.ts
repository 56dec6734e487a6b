/**
 * OP block fixtures (kona's stateless-executor test data as JSON): the inputs of one real block,
 * its witness and the expected block hash. Parsing checks every field and raises coded errors.
 */
import { fromHex } from '../common/bytes.js'
import { ChainError } from './errors.js'
import { type OpHeader, headerFromJson } from './header.js'
import { type OpPayloadAttributes, parsePayloadAttributes } from './payload.js'
import { type RollupConfig, parseRollupConfig } from './rollup-config.js'

export interface OpBlockFixture {
  chain?: string | undefined
  blockNumber?: bigint | undefined
  rollupConfig: RollupConfig
  parentHeader: OpHeader
  payloadAttributes: OpPayloadAttributes
  expectedBlockHash: Uint8Array
  witness: string[]
}

/** Parses a fixture object (`block.json`). */
export function parseOpBlockFixture(json: unknown): OpBlockFixture {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ChainError('CHAIN_INVALID_FIELD', 'fixture is not a JSON object', { details: { field: 'fixture' } })
  }
  const o = json as Record<string, unknown>
  for (const f of ['rollupConfig', 'parentHeader', 'payloadAttributes', 'expectedBlockHash', 'witness']) {
    if (o[f] === undefined || o[f] === null) throw new ChainError('CHAIN_MISSING_FIELD', `fixture is missing field ${f}`, { details: { field: f } })
  }
  const witness = o['witness']
  if (!Array.isArray(witness) || witness.some((w) => typeof w !== 'string')) {
    throw new ChainError('CHAIN_INVALID_FIELD', 'fixture witness must be an array of 0x-hex strings', { details: { field: 'witness' } })
  }
  const hash = o['expectedBlockHash']
  if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
    throw new ChainError('CHAIN_INVALID_FIELD', 'fixture expectedBlockHash must be a 32-byte 0x-hex string', { details: { field: 'expectedBlockHash' } })
  }
  const bn = o['blockNumber']
  return {
    chain: typeof o['chain'] === 'string' ? o['chain'] : undefined,
    blockNumber: typeof bn === 'number' || typeof bn === 'string' ? BigInt(bn) : undefined,
    rollupConfig: parseRollupConfig(o['rollupConfig']),
    parentHeader: headerFromJson(o['parentHeader'], 'parentHeader'),
    payloadAttributes: parsePayloadAttributes(o['payloadAttributes']),
    expectedBlockHash: fromHex(hash),
    witness: witness as string[],
  }
}
