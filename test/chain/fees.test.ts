import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { hexToBytes } from '@ethereumjs/util'
import {
  type L1BlockInfo,
  type OpForkFlags,
  OP_FORKS,
  calldataGas,
  daFootprint,
  flzCompressLen,
  l1Cost,
  l1CostBedrock,
  l1GasUsed,
  operatorFee,
} from '../../src/chain/index.js'

// Vectors from op-revm's l1block.rs and fast_lz.rs tests (OP mainnet transactions and synthetic inputs).
const SAMPLE_CONTRACT_CALL = hexToBytes(
  '0x02f901550a758302df1483be21b88304743f94f80e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8e41ef24f3f000000000000000000000000000000000000000000000000000000000000006e000000000000000000000000af88d065e77c8cc2239327c5edb3a432268e5831000000000000000000000000000000000000000000000000000000000003c1e5000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000148c89ed219d02f1a5be012c689b4f5b731827bebe000000000000000000000000c001a033fd89cb37c31b2cba46b6466e040c61fc9b2a3675a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f610222e71b7cec06449cb922b93b6a12744e',
)
// Second tx of OP mainnet Ecotone block 118024092.
const ECOTONE_TX = hexToBytes(
  '0x02f8b30a832253fc8402d11f39842c8a46398301388094dc6ff44d5d932cbd77b52e5612ba0529dc6226f180b844a9059cbb000000000000000000000000d43e02db81f4d46cdf8521f623d21ea0ec7562a50000000000000000000000000000000000000000000000008ac7230489e80000c001a02947e24750723b48f886931562c55d9e07f856d8e06468e719755e18bbc3a570a0784da9ce59fd7754ea5be6e17a86b348e441348cd48ace59d174772465eadbd1',
)

function forksUpTo(last: (typeof OP_FORKS)[number] | 'bedrock'): OpForkFlags {
  const out = {} as OpForkFlags
  const idx = last === 'bedrock' ? -1 : OP_FORKS.indexOf(last)
  OP_FORKS.forEach((f, i) => {
    out[f] = i <= idx
  })
  return out
}

function info(p: Partial<L1BlockInfo>): L1BlockInfo {
  return {
    l1BaseFee: 0n,
    l1FeeOverhead: 0n,
    l1FeeScalar: 0n,
    baseFeeScalar: 0n,
    blobBaseFeeScalar: 0n,
    blobBaseFee: 0n,
    emptyEcotoneScalars: false,
    operatorFeeScalar: 0n,
    operatorFeeConstant: 0n,
    daFootprintGasScalar: 0n,
    ...p,
  }
}

describe('FastLZ compressed length (op-revm / op-geth vectors)', () => {
  it('matches the reference lengths', () => {
    assert.equal(flzCompressLen(new Uint8Array(0)), 0)
    assert.equal(flzCompressLen(new Uint8Array(1000)), 21)
    assert.equal(flzCompressLen(new Uint8Array(1000).fill(42)), 21)
    assert.equal(flzCompressLen(hexToBytes('0xFACADE')), 4)
    assert.equal(flzCompressLen(SAMPLE_CONTRACT_CALL), 202)
  })

  it('grows strictly on inputs without repeats', () => {
    let prev = 0
    const input: number[] = []
    for (let i = 0; i < 256; i++) {
      input.push(i)
      const len = flzCompressLen(Uint8Array.from(input))
      assert.ok(len > prev, `length at ${i + 1} bytes`)
      prev = len
    }
  })

  it('never exceeds the all-literal encoding and is deterministic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
        const n = flzCompressLen(b)
        assert.ok(n <= b.length + Math.ceil(b.length / 32))
        assert.equal(flzCompressLen(b.slice()), n)
      }),
      { numRuns: 200 },
    )
  })
})

describe('L1 data fee', () => {
  const bedrockInfo = info({ l1BaseFee: 1_000_000n, l1FeeOverhead: 1_000_000n, l1FeeScalar: 1_000_000n })

  it('counts calldata gas 4/16 per zero/non-zero byte', () => {
    assert.equal(calldataGas(hexToBytes('0xFACADE')), 48n)
    assert.equal(calldataGas(hexToBytes('0xFA00CA00DE')), 56n)
  })

  it('Bedrock (Regolith) formula', () => {
    const i = info({ l1BaseFee: 1000n, l1FeeOverhead: 1000n, l1FeeScalar: 1000n })
    assert.equal(l1Cost(i, forksUpTo('regolith'), hexToBytes('0xFACADE')), 1048n)
    assert.equal(l1Cost(i, forksUpTo('regolith'), new Uint8Array(0)), 0n)
    assert.equal(l1Cost(i, forksUpTo('regolith'), hexToBytes('0x7EFACADE')), 0n)
    assert.equal(l1GasUsed(bedrockInfo, forksUpTo('regolith'), hexToBytes('0xFACADE')), 48n + 1_000_000n)
  })

  it('Ecotone formula, and Bedrock in the first Ecotone block', () => {
    const i = info({ l1BaseFee: 1000n, baseFeeScalar: 1000n, blobBaseFee: 1000n, blobBaseFeeScalar: 1000n })
    assert.equal(l1Cost(i, forksUpTo('ecotone'), hexToBytes('0xFACADE')), 51n)
    assert.equal(l1Cost(i, forksUpTo('ecotone'), hexToBytes('0x7EFACADE')), 0n)
    const first = info({ l1BaseFee: 1000n, l1FeeOverhead: 1000n, l1FeeScalar: 1000n, emptyEcotoneScalars: true })
    assert.equal(l1Cost(first, forksUpTo('ecotone'), hexToBytes('0xFACADE')), 1048n)
    assert.equal(l1CostBedrock(first, hexToBytes('0xFACADE')), 1048n)
  })

  it('Ecotone: OP mainnet block 118024092', () => {
    const i = info({ l1BaseFee: 47036678951n, baseFeeScalar: 1368n, blobBaseFee: 57422457042n, blobBaseFeeScalar: 810949n })
    assert.equal(l1GasUsed(i, forksUpTo('ecotone'), ECOTONE_TX), 2456n)
    assert.equal(l1Cost(i, forksUpTo('ecotone'), ECOTONE_TX), 7306020222001n)
  })

  it('Fjord formula (FastLZ size estimate, 100-byte minimum)', () => {
    const i = info({ l1BaseFee: 1000n, baseFeeScalar: 1000n, blobBaseFee: 1000n, blobBaseFeeScalar: 1000n })
    assert.equal(l1Cost(i, forksUpTo('fjord'), hexToBytes('0xFACADE')), 1700n)
    assert.equal(l1GasUsed(i, forksUpTo('fjord'), hexToBytes('0xFACADE')), 1600n)
    assert.equal(l1Cost(i, forksUpTo('fjord'), SAMPLE_CONTRACT_CALL), 2148n)
    assert.equal(l1Cost(i, forksUpTo('fjord'), new Uint8Array(0)), 0n)
    assert.equal(l1Cost(i, forksUpTo('fjord'), hexToBytes('0x7EFACADE')), 0n)
  })

})

describe('operator fee and DA footprint', () => {
  const i = info({ operatorFeeScalar: 1000n, operatorFeeConstant: 10n })

  it('Isthmus: gas * scalar / 1e6 + constant; Jovian: gas * scalar * 100 + constant', () => {
    assert.equal(operatorFee(i, forksUpTo('isthmus'), 1000n), 11n)
    assert.equal(operatorFee(i, forksUpTo('jovian'), 1000n), 100_000_010n)
    assert.equal(operatorFee(i, forksUpTo('holocene'), 1000n), 0n)
  })

  it('refund of the up-front charge down to gas used', () => {
    const j = info({ operatorFeeScalar: 2000n, operatorFeeConstant: 5n })
    const f = forksUpTo('isthmus')
    assert.equal(operatorFee(j, f, 50_000n) - operatorFee(j, f, 0n), 100n)
  })

  it('Jovian DA footprint = size estimate * scalar, zero for deposits and before Jovian', () => {
    const j = info({ daFootprintGasScalar: 400n })
    // FACADE hits the 100-byte minimum estimate.
    assert.equal(daFootprint(j, forksUpTo('jovian'), hexToBytes('0xFACADE')), 40_000n)
    assert.equal(daFootprint(j, forksUpTo('jovian'), hexToBytes('0x7EFACADE')), 0n)
    assert.equal(daFootprint(j, forksUpTo('isthmus'), hexToBytes('0xFACADE')), 0n)
  })
})
