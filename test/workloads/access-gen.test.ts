import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { generateAccesses, generatedKeyName, createZipfSampler, Xoshiro128 } from '../../src/workloads/index.js'
import { ACCESS_KIND, buildDag } from '../../src/dag/index.js'
import { parseKey } from '../../src/state-verification/index.js'
import { hasCode } from '../../src/common/index.js'

describe('generateAccesses', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = generateAccesses({ txs: 2000, accounts: 500, skew: 1.1, seed: 5 })
    const b = generateAccesses({ txs: 2000, accounts: 500, skew: 1.1, seed: 5 })
    const c = generateAccesses({ txs: 2000, accounts: 500, skew: 1.1, seed: 6 })
    assert.deepEqual(a, b)
    assert.notDeepEqual(a.keys, c.keys)
  })

  it('produces well-formed transfers: sender balance+nonce, recipient, fee credit, extra keys', () => {
    fc.assert(
      fc.property(
        fc.record({
          txs: fc.integer({ min: 0, max: 200 }),
          accounts: fc.integer({ min: 1, max: 50 }),
          skew: fc.double({ min: 0, max: 2, noNaN: true }),
          keysPerTx: fc.integer({ min: 4, max: 9 }),
          seed: fc.integer(),
          hotKeys: fc.integer({ min: 0, max: 3 }),
          hotKeyProbability: fc.double({ min: 0, max: 1, noNaN: true }),
          feeRecipientReadProbability: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (o) => {
          const g = generateAccesses(o)
          const N = o.accounts
          assert.equal(g.txCount, o.txs)
          assert.equal(g.keyCount, 3 * N + 1 + o.hotKeys)
          for (let j = 0; j < o.txs; j++) {
            const s = g.offsets[j] as number
            const len = (g.offsets[j + 1] as number) - s
            const feeRead = len === o.keysPerTx + 1
            assert.ok(len === o.keysPerTx || feeRead)
            const key = (x: number): number => g.keys[s + x] as number
            const kind = (x: number): number => g.kinds[s + x] as number
            assert.ok(key(0) < N && key(1) === N + key(0), 'sender balance then nonce')
            assert.ok(key(2) < N, 'recipient balance')
            assert.deepEqual([kind(0), kind(1), kind(2)], [ACCESS_KIND.readWrite, ACCESS_KIND.readWrite, ACCESS_KIND.readWrite])
            assert.equal(key(3), 3 * N)
            assert.equal(kind(3), ACCESS_KIND.credit)
            if (feeRead) assert.deepEqual([key(4), kind(4)], [3 * N, ACCESS_KIND.read])
            let gas = 21_000
            for (let x = feeRead ? 5 : 4; x < len; x++) {
              assert.ok((key(x) >= 2 * N && key(x) < 3 * N) || key(x) > 3 * N, 'extra keys are slots')
              assert.ok(key(x) < g.keyCount)
              assert.ok(kind(x) === ACCESS_KIND.read || kind(x) === ACCESS_KIND.readWrite)
              gas += kind(x) === ACCESS_KIND.read ? 2_100 : 22_100
            }
            assert.equal(g.gas[j], gas)
          }
        },
      ),
      { numRuns: 100 },
    )
  })

  it('builds a linear number of edges when 100k transactions share one hot key', () => {
    const g = generateAccesses({ txs: 100_000, accounts: 1_000_000, skew: 0, keysPerTx: 5, hotKeys: 1, hotKeyProbability: 1, writeProbability: 0.3, seed: 3 })
    const dag = buildDag(g)
    assert.ok(dag.edgeCount <= 3 * (g.offsets[g.txCount] as number))
    // the hot slot alone connects every transaction: at least n-1 edges
    assert.ok(dag.edgeCount >= g.txCount - 1)
  })

  it('names generated keys as valid, distinct state keys', () => {
    const opts = { accounts: 7, hotKeys: 2 }
    const names = Array.from({ length: 3 * 7 + 1 + 2 }, (_, id) => generatedKeyName(id, opts))
    assert.equal(new Set(names).size, names.length)
    for (const n of names) assert.ok(parseKey(n).address.startsWith('0x'))
    assert.equal(parseKey(generatedKeyName(0, opts)).kind, 'balance')
    assert.equal(parseKey(generatedKeyName(7, opts)).kind, 'nonce')
    assert.equal(parseKey(generatedKeyName(14, opts)).kind, 'storage')
    assert.throws(() => generatedKeyName(3 * 7 + 3, opts), RangeError)
  })

  it('rejects invalid options with WORKLOAD_BAD_OPTIONS', () => {
    for (const bad of [{ txs: -1 }, { txs: 1, accounts: 0 }, { txs: 1, skew: -1 }, { txs: 1, keysPerTx: 3 }, { txs: 1, writeProbability: 2 }, { txs: 1.5 }]) {
      assert.throws(() => generateAccesses(bad), (e) => hasCode(e, 'WORKLOAD_BAD_OPTIONS'), JSON.stringify(bad))
    }
    // without the fee credit three keys are enough
    assert.equal(generateAccesses({ txs: 1, keysPerTx: 3, feeCredit: false }).offsets[1], 3)
  })
})

describe('Zipf sampler', () => {
  const draws = 200_000
  const frequencies = (n: number, s: number, seed: number): number[] => {
    const z = createZipfSampler(n, s)
    const rng = new Xoshiro128(seed)
    const f = new Array<number>(n).fill(0)
    for (let i = 0; i < draws; i++) {
      const r = z.sample(rng)
      f[r] = (f[r] as number) + 1
    }
    return f
  }
  // expected share of rank r (0-based) under Zipf(s): (r+1)^-s / sum
  const expected = (n: number, s: number): number[] => {
    const w = Array.from({ length: n }, (_, r) => Math.pow(r + 1, -s))
    const sum = w.reduce((a, b) => a + b, 0)
    return w.map((x) => x / sum)
  }

  for (const s of [0, 0.8, 1.5]) {
    it(`matches Zipf(${s}) frequencies within 5 standard deviations`, () => {
      const n = 50
      const f = frequencies(n, s, 99)
      expected(n, s).forEach((p, r) => {
        const sd = Math.sqrt(draws * p * (1 - p))
        assert.ok(Math.abs((f[r] as number) - draws * p) <= 5 * sd + 1, `rank ${r}: ${f[r]} vs ${draws * p}`)
      })
    })
  }

  it('draws uniform floats in [0, 1)', () => {
    const rng = new Xoshiro128(1)
    let sum = 0
    for (let i = 0; i < 100_000; i++) {
      const x = rng.float()
      assert.ok(x >= 0 && x < 1)
      sum += x
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01)
  })
})
