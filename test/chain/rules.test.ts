import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { hexToBytes } from '@ethereumjs/util'
import {
  activeForks,
  assertKnownForks,
  decodeExtraDataParams,
  encodeHoloceneExtraData,
  encodeJovianExtraData,
  evmHardfork,
  nextBaseFee,
  parseRollupConfig,
} from '../../src/chain/index.js'
import { hasCode } from '../../src/common/index.js'

const cfg = parseRollupConfig({
  l2_chain_id: 10,
  canyon_time: 100,
  ecotone_time: 200,
  fjord_time: 300,
  granite_time: 400,
  holocene_time: 500,
  isthmus_time: 600,
  chain_op_config: { eip1559Elasticity: 64, eip1559Denominator: 32, eip1559DenominatorCanyon: 32 },
})

function expectCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => hasCode(e, code), `expected ${code}`)
}

describe('fork schedule', () => {
  it('activates forks by timestamp; a later fork implies the earlier ones', () => {
    const f = activeForks(cfg, 350n)
    assert.deepEqual(
      [f.regolith, f.canyon, f.delta, f.ecotone, f.fjord, f.granite, f.holocene, f.isthmus, f.jovian],
      [true, true, true, true, true, false, false, false, false],
    )
    assert.equal(activeForks(cfg, 99n).regolith, false)
    assert.equal(activeForks(cfg, 600n).isthmus, true)
  })

  it('maps OP forks onto EVM hardforks', () => {
    assert.equal(evmHardfork(activeForks(cfg, 150n)), 'shanghai')
    assert.equal(evmHardfork(activeForks(cfg, 250n)), 'cancun')
    assert.equal(evmHardfork(activeForks(cfg, 650n)), 'prague')
    expectCode(() => evmHardfork(activeForks(cfg, 50n)), 'CHAIN_UNSUPPORTED_FORK')
  })

  it('rejects an unknown fork once it is active, ignores non-execution schedules', () => {
    const c = parseRollupConfig({ l2_chain_id: 1, block_time: 2, pectra_blob_schedule_time: 5, holocene_time: 0, future_fork_time: 1000 })
    assertKnownForks(c, 999n)
    expectCode(() => assertKnownForks(c, 1000n), 'CHAIN_UNKNOWN_FORK')
  })

  it('reports missing or malformed config fields', () => {
    expectCode(() => parseRollupConfig({ canyon_time: 1 }), 'CHAIN_MISSING_FIELD')
    expectCode(() => parseRollupConfig({ l2_chain_id: 1, canyon_time: 'soon' }), 'CHAIN_INVALID_FIELD')
    expectCode(() => parseRollupConfig(null), 'CHAIN_INVALID_FIELD')
  })
})

describe('Holocene / Jovian EIP-1559 parameters (kona vectors)', () => {
  it('decodes extraData', () => {
    const p = decodeExtraDataParams(hexToBytes('0x00BEEFBABE0BADC0DE'))
    assert.equal(p.denominator, 0xbeefbaben)
    assert.equal(p.elasticity, 0x0badc0den)
    const j = decodeExtraDataParams(hexToBytes('0x01BEEFBABE0BADC0DE00000000DEADBEEF'))
    assert.equal(j.minBaseFee, 0xdeadbeefn)
    expectCode(() => decodeExtraDataParams(hexToBytes('0x01BEEFBABE0BADC0DE')), 'CHAIN_INVALID_EIP1559_PARAMS')
    expectCode(() => decodeExtraDataParams(hexToBytes('0x00000000000BADC0DE')), 'CHAIN_INVALID_EIP1559_PARAMS')
    expectCode(() => decodeExtraDataParams(hexToBytes('0x00')), 'CHAIN_INVALID_EIP1559_PARAMS')
  })

  it('encodes extraData from eip1559Params, with Canyon defaults for zero params', () => {
    assert.deepEqual(encodeHoloceneExtraData(new Uint8Array(8), cfg), hexToBytes('0x000000002000000040'))
    assert.deepEqual(encodeHoloceneExtraData(hexToBytes('0x0000004000000060'), cfg), hexToBytes('0x000000004000000060'))
    expectCode(() => encodeHoloceneExtraData(hexToBytes('0x0000000000000060'), cfg), 'CHAIN_INVALID_EIP1559_PARAMS')
    expectCode(() => encodeHoloceneExtraData(hexToBytes('0x00'), cfg), 'CHAIN_INVALID_EIP1559_PARAMS')
    const j = encodeJovianExtraData(hexToBytes('0x0000004000000060'), cfg, 0xdeadbeefn)
    assert.equal(decodeExtraDataParams(j).minBaseFee, 0xdeadbeefn)
  })

  it('next base fee follows EIP-1559 with the parent extraData parameters', () => {
    const parent = { timestamp: 550n, gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: 1_000_000n, extraData: hexToBytes('0x00000000fa00000006') }
    // target = 5M; empty block: fee - fee*5M/5M/250
    assert.equal(nextBaseFee(cfg, parent, 552n), 1_000_000n - 4000n)
    assert.equal(nextBaseFee(cfg, { ...parent, gasUsed: 5_000_000n }, 552n), 1_000_000n)
    assert.equal(nextBaseFee(cfg, { ...parent, gasUsed: 30_000_000n }, 552n), 1_000_000n + 20_000n)
    // Parent before Holocene: Canyon parameters from the config (denominator 32, elasticity 64).
    const pre = { ...parent, timestamp: 450n, extraData: new Uint8Array(0) }
    assert.equal(nextBaseFee(cfg, pre, 500n), 1_000_000n - 1_000_000n / 32n)
  })
})
