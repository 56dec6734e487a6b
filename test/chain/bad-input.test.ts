import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { RLP } from '@ethereumjs/rlp'
import { bytesToUnprefixedHex } from '@ethereumjs/util'
import { assertBlockHash, executeOpBlock, headerFromJson, parseOpBlockFixture } from '../../src/chain/index.js'
import { hasCode } from '../../src/common/index.js'
import { fixtureNumbers, loadFixtureJson } from './fixtures-path.js'

const [first, second] = fixtureNumbers()

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<unknown> {
  let err: unknown
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    err = e
  }
  assert.ok(hasCode(err, code), `expected ${code}, got ${String((err as { code?: string })?.code ?? err)}`)
  return err
}

function fixture(): Record<string, unknown> {
  return loadFixtureJson(first as string)
}

function isRlpList(hex: string): boolean {
  try {
    return Array.isArray(RLP.decode(Buffer.from(hex.slice(2), 'hex')))
  } catch {
    return false
  }
}

describe('bad input gives coded errors', { skip: first === undefined }, () => {
  it('fixture missing a field', async () => {
    const j = fixture()
    delete j['witness']
    await expectCode(() => parseOpBlockFixture(j), 'CHAIN_MISSING_FIELD')
    const k = fixture()
    delete (k['payloadAttributes'] as Record<string, unknown>)['gasLimit']
    const e = await expectCode(() => parseOpBlockFixture(k), 'CHAIN_MISSING_FIELD')
    assert.equal((e as { details: { field: string } }).details.field, 'payloadAttributes.gasLimit')
    const h = fixture()
    delete (h['parentHeader'] as Record<string, unknown>)['stateRoot']
    await expectCode(() => parseOpBlockFixture(h), 'CHAIN_MISSING_FIELD')
  })

  it('witness without the parent state root', async () => {
    const fx = parseOpBlockFixture(fixture())
    const root = bytesToUnprefixedHex(fx.parentHeader.stateRoot)
    const { keccak_256 } = await import('@noble/hashes/sha3.js')
    const witness = fx.witness.filter((w) => bytesToUnprefixedHex(keccak_256(Buffer.from(w.slice(2), 'hex'))) !== root)
    await expectCode(executeOpBlock({ ...fx, witness }), 'STATE_NO_ROOT')
  })

  it('witness without contract code names the account', async () => {
    const fx = parseOpBlockFixture(fixture())
    const witness = fx.witness.filter(isRlpList)
    const e = await expectCode(executeOpBlock({ ...fx, witness }), 'STATE_WITNESS_MISSING_CODE')
    assert.match(String((e as { details: { address: string } }).details.address), /^0x[0-9a-f]{40}$/)
  })

  it('witness with only the root node names the account being read', async () => {
    const fx = parseOpBlockFixture(fixture())
    const { keccak_256 } = await import('@noble/hashes/sha3.js')
    const root = bytesToUnprefixedHex(fx.parentHeader.stateRoot)
    const witness = fx.witness.filter((w) => bytesToUnprefixedHex(keccak_256(Buffer.from(w.slice(2), 'hex'))) === root)
    const e = await expectCode(executeOpBlock({ ...fx, witness }), 'STATE_WITNESS_MISSING_NODE')
    assert.ok((e as { details: { address?: string } }).details.address !== undefined)
  })

  it('malformed witness entry', async () => {
    const fx = parseOpBlockFixture(fixture())
    await expectCode(executeOpBlock({ ...fx, witness: [...fx.witness, '0xabc'] }), 'STATE_WITNESS_INVALID')
  })

  it('malformed transaction names its index', async () => {
    const j = fixture()
    ;(j['payloadAttributes'] as { transactions: string[] }).transactions[1] = '0x02c3010203'
    const e = await expectCode(executeOpBlock(parseOpBlockFixture(j)), 'CHAIN_TX_MALFORMED')
    assert.equal((e as { details: { index: number } }).details.index, 1)
  })

  it('unknown active fork', async () => {
    const j = fixture()
    ;(j['rollupConfig'] as Record<string, unknown>)['interop_time'] = 0
    await expectCode(executeOpBlock(parseOpBlockFixture(j)), 'CHAIN_UNKNOWN_FORK')
  })

  it('transactions exceeding the block gas limit', async () => {
    const j = fixture()
    ;(j['payloadAttributes'] as Record<string, unknown>)['gasLimit'] = '0xf4240'
    await expectCode(executeOpBlock(parseOpBlockFixture(j)), 'CHAIN_BLOCK_GAS_EXCEEDED')
  })

  it('a wrong input yields a mismatch that names the differing header fields', { skip: second === undefined }, async () => {
    const j = fixture()
    ;(j['payloadAttributes'] as Record<string, unknown>)['prevRandao'] = `0x${'11'.repeat(32)}`
    const fx = parseOpBlockFixture(j)
    const res = await executeOpBlock(fx)
    const expected = headerFromJson(loadFixtureJson(second as string)['parentHeader'], 'parentHeader')
    const e = await expectCode(() => assertBlockHash(res, fx.expectedBlockHash, expected), 'CHAIN_BLOCK_MISMATCH')
    assert.deepEqual((e as { details: { fields: string[] } }).details.fields, ['mixHash'])
  })
})
