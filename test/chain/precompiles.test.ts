import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { createEVM } from '@ethereumjs/evm'
import { Address, hexToBytes } from '@ethereumjs/util'
import { activeForks, createOpCommon, opCustomPrecompiles, parseRollupConfig } from '../../src/chain/index.js'

const cfg = parseRollupConfig({ l2_chain_id: 11155420, canyon_time: 0, ecotone_time: 10, fjord_time: 20, granite_time: 30 })

async function call(ts: bigint, to: string, data: Uint8Array, gasLimit: bigint) {
  const forks = activeForks(cfg, ts)
  const common = createOpCommon(cfg, forks)
  const evm = await createEVM({ common, customPrecompiles: opCustomPrecompiles(forks, common) })
  return (await evm.runCall({ to: new Address(hexToBytes(to as `0x${string}`)), data, gasLimit })).execResult
}

function p256Input(tamper = false): Uint8Array {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const msg = Buffer.from('paradag')
  const sig = sign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string }
  const hash = createHash('sha256').update(tamper ? Buffer.from('other') : msg).digest()
  return Buffer.concat([hash, sig, Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')])
}

describe('OP precompiles', () => {
  const P256 = '0x0000000000000000000000000000000000000100'

  it('P256VERIFY (Fjord) verifies secp256r1 signatures for 3450 gas', async () => {
    const ok = await call(25n, P256, p256Input(), 10_000n)
    assert.equal(ok.exceptionError, undefined)
    assert.equal(ok.executionGasUsed, 3450n)
    assert.equal(ok.returnValue[31], 1)
    const bad = await call(25n, P256, p256Input(true), 10_000n)
    assert.equal(bad.returnValue.length, 0)
    assert.equal(bad.executionGasUsed, 3450n)
    const oog = await call(25n, P256, p256Input(), 3449n)
    assert.ok(oog.exceptionError !== undefined)
  })

  it('P256VERIFY does not exist before Fjord', async () => {
    const r = await call(15n, P256, p256Input(), 10_000n)
    assert.equal(r.returnValue.length, 0)
    assert.equal(r.executionGasUsed, 0n)
  })

  it('Granite limits bn256Pairing input to 112687 bytes (failure consumes all gas)', async () => {
    const big = new Uint8Array(192 * 587) // 112704 bytes of points at infinity
    const before = await call(25n, '0x0000000000000000000000000000000000000008', big, 30_000_000n)
    assert.equal(before.exceptionError, undefined)
    const after = await call(35n, '0x0000000000000000000000000000000000000008', big, 30_000_000n)
    assert.ok(after.exceptionError !== undefined)
    assert.equal(after.executionGasUsed, 30_000_000n)
    const small = await call(35n, '0x0000000000000000000000000000000000000008', new Uint8Array(192 * 2), 1_000_000n)
    assert.equal(small.exceptionError, undefined)
    assert.equal(small.returnValue[31], 1)
  })
})
