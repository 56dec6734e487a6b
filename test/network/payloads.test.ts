import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  decodeErrorPayload,
  decodeHealth,
  decodeStateRequest,
  decodeStateResponse,
  decodeVote,
  encodeErrorPayload,
  encodeHealth,
  encodeStateRequest,
  encodeStateResponse,
  encodeVote,
  isStateKey,
} from '../../network/index.js'
import type { StateEntries } from '../../network/index.js'
import { balanceKey, codeKey, nonceKey, storageKey } from '../../src/state-verification/index.js'
import { throwsWithCode } from './helpers.js'

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString('hex')}`)
const stateKey = fc.oneof(
  hex(20).map(balanceKey),
  hex(20).map(nonceKey),
  hex(20).map(codeKey),
  fc.tuple(hex(20), hex(32)).map(([a, s]) => storageKey(a, s)),
)

describe('payloads', () => {
  it('round-trip votes and bind the block number', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (r, p, b) => {
        const v = decodeVote(encodeVote({ resultHash: r, packageHash: p, blockNumber: b }), b)
        assert.deepEqual(v, { resultHash: r, packageHash: p, blockNumber: b })
      }),
    )
    const bytes = encodeVote({ resultHash: new Uint8Array(32), packageHash: new Uint8Array(32), blockNumber: 5n })
    throwsWithCode(() => decodeVote(bytes, 6n), 'NETWORK_MALFORMED')
    throwsWithCode(() => decodeVote(bytes.subarray(0, 71)), 'NETWORK_TRUNCATED')
    throwsWithCode(() => encodeVote({ resultHash: new Uint8Array(31), packageHash: new Uint8Array(32), blockNumber: 5n }), 'NETWORK_MALFORMED')
  })

  it('round-trip state requests and responses built from real state keys', () => {
    fc.assert(
      fc.property(fc.uniqueArray(stateKey, { maxLength: 30 }), fc.array(fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }), { maxLength: 30 }), (keys, vals) => {
        assert.ok(keys.every(isStateKey))
        assert.deepEqual(decodeStateRequest(encodeStateRequest(keys)), keys)
        const entries: StateEntries = new Map(keys.map((k, i) => [k, vals[i] ?? null]))
        assert.deepEqual(decodeStateResponse(encodeStateResponse(entries)), entries)
      }),
    )
  })

  it('rejects malformed state payloads', () => {
    throwsWithCode(() => encodeStateRequest(['x:0x00']), 'NETWORK_MALFORMED')
    const ok = encodeStateRequest([balanceKey(`0x${'ab'.repeat(20)}`)])
    throwsWithCode(() => decodeStateRequest(ok.subarray(0, ok.length - 1)), 'NETWORK_TRUNCATED')
    throwsWithCode(() => decodeStateRequest(Uint8Array.from([...ok, 0])), 'NETWORK_MALFORMED')
    const r = encodeStateResponse(new Map([[balanceKey(`0x${'ab'.repeat(20)}`), null]]))
    const badFlag = r.slice()
    badFlag[4 + 2 + 44] = 7
    throwsWithCode(() => decodeStateResponse(badFlag), 'NETWORK_MALFORMED')
  })

  it('round-trip health and error answers and reject wrong shapes', () => {
    const h = { name: 'seq-0', role: 'sequencer' as const, group: 0, status: 'ok', uptimeMs: 12, info: { head: 3 } }
    assert.deepEqual(decodeHealth(encodeHealth(h)), h)
    throwsWithCode(() => decodeHealth(new TextEncoder().encode('{"name":1}')), 'NETWORK_MALFORMED')
    throwsWithCode(() => decodeHealth(new TextEncoder().encode('not json')), 'NETWORK_MALFORMED')
    const e = { code: 'X', message: 'm', details: { a: 1 } }
    assert.deepEqual(decodeErrorPayload(encodeErrorPayload(e)), e)
  })
})
