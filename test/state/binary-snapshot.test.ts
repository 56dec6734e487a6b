/**
 * The encoded snapshot (the workers' shared replica) against the JSON form it is encoded from:
 * every read of `BinarySnapshotReader` equals `snapshotReader(snapshotFromJson(json))`, for
 * random snapshots (absent accounts, code, roots, complete and partial storage, zero values) in
 * random key order, and for keys present and absent. Malformed snapshots are refused with a
 * clear error.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  BinarySnapshotReader,
  StateError,
  encodeSnapshot,
  snapshotFromJson,
  snapshotReader,
  type AccountStateJson,
  type StateReader,
  type StateSnapshotJson,
} from '../../src/state/index.js'

const RUNS = Number(process.env.PARADAG_PROPERTY_RUNS ?? 200)

const hex = (bytes: number[]): string => `0x${Buffer.from(bytes).toString('hex')}`
/** Addresses and slots drawn from small pools, so that lookups hit and miss and keys share prefixes. */
const addressOf = (i: number): string => `0x${(i % 3 === 0 ? 'ab' : '00').repeat(19)}${i.toString(16).padStart(2, '0')}`
const slotOf = (i: number): string => `0x${(i % 2 === 0 ? 'ff' : '00').repeat(31)}${i.toString(16).padStart(2, '0')}`
const word = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hex([...b]))
const quantity = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map((v) => `0x${v.toString(16)}`)
/** Storage values as the JSON form writes them (minimal bytes, empty for zero), and longer spellings. */
const value = fc.oneof(
  fc.constant('0x'),
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((b) => hex([...b])),
  fc.uint8Array({ minLength: 1, maxLength: 2 }).map((b) => `0x${Buffer.from(b).toString('hex').slice(1)}`),
)
const account: fc.Arbitrary<AccountStateJson | null> = fc.option(
  fc.record(
    {
      balance: quantity,
      nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => `0x${v.toString(16)}`),
      code: fc.uint8Array({ maxLength: 40 }).map((b) => hex([...b])),
      storageRoot: word,
      codeHash: word,
      storage: fc.dictionary(fc.nat(40).map(slotOf), value, { maxKeys: 12 }),
      storageComplete: fc.boolean(),
    },
    { requiredKeys: ['balance', 'nonce'] },
  ),
  { freq: 5 },
)
const snapshot: fc.Arbitrary<StateSnapshotJson> = fc
  .uniqueArray(fc.tuple(fc.nat(60), account), { selector: ([i]) => i, maxLength: 25 })
  .map((entries) => Object.fromEntries(entries.map(([i, a]) => [addressOf(i), a])))

async function reads(r: StateReader, addresses: string[], slots: string[]): Promise<unknown[]> {
  const out: unknown[] = []
  for (const a of addresses) {
    const acc = await r.getAccount(a)
    out.push(acc === null ? null : { ...acc, balance: acc.balance.toString(), nonce: acc.nonce.toString() })
    out.push(await r.getCode(a, new Uint8Array(32)))
    for (const s of slots) out.push(await r.getStorage(a, s))
  }
  return out
}

const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_, x: unknown) => (x instanceof Uint8Array ? `bytes:${Buffer.from(x).toString('hex')}` : x)))

describe('encoded snapshot', () => {
  it('reads what the JSON form reads, for every key present or absent', async () => {
    await fc.assert(
      fc.asyncProperty(snapshot, fc.boolean(), async (json, shuffle) => {
        const given = shuffle ? Object.fromEntries(Object.entries(json).reverse()) : json
        const bin = new BinarySnapshotReader(encodeSnapshot(given))
        const ref = snapshotReader(snapshotFromJson(json))
        const addresses = Array.from({ length: 62 }, (_, i) => addressOf(i))
        const slots = Array.from({ length: 42 }, (_, i) => slotOf(i))
        assert.deepEqual(norm(await reads(bin, addresses, slots)), norm(await reads(ref, addresses, slots)))
        assert.equal(bin.size, Object.keys(json).length)
      }),
      { numRuns: RUNS },
    )
  })

  it('reads storage given in any key order, and hex digits of either case', async () => {
    const a = addressOf(7)
    const storage: Record<string, string> = {}
    for (let i = 40; i >= 0; i--) storage[slotOf(i)] = `0x${(i + 1).toString(16).padStart(2, '0')}`
    const upper = `0x${a.slice(2).toUpperCase()}`
    const bin = new BinarySnapshotReader(encodeSnapshot({ [upper]: { balance: '0x5', nonce: '0x1', storage: { ...storage, [`0x${'C'.repeat(64)}`]: '0x07' } } }))
    for (let i = 0; i <= 40; i++) assert.deepEqual(await bin.getStorage(a, slotOf(i)), Uint8Array.of(i + 1))
    assert.deepEqual(await bin.getStorage(a, `0x${'c'.repeat(64)}`), Uint8Array.of(7))
    assert.equal((await bin.getAccount(a))?.balance, 5n)
    assert.equal(await bin.getAccount(addressOf(8)), null)
    // Copies, not views of the shared replica: a caller may change what it gets back.
    const enc = encodeSnapshot({ [a]: { balance: '0x5', nonce: '0x1', code: '0x6000', codeHash: `0x${'11'.repeat(32)}`, storageRoot: `0x${'22'.repeat(32)}`, storage: { [slotOf(1)]: '0x07' } } })
    for (const reader of [new BinarySnapshotReader(enc), new BinarySnapshotReader(Buffer.from(enc.buffer))]) {
      const acc = (await reader.getAccount(a))!
      for (const got of [acc.code!, acc.codeHash!, acc.storageRoot!, await reader.getCode(a), await reader.getStorage(a, slotOf(1))]) {
        assert.ok(!(got.buffer instanceof SharedArrayBuffer))
        got.fill(0x99)
      }
      assert.deepEqual(await reader.getStorage(a, slotOf(1)), Uint8Array.of(7))
      assert.deepEqual(await reader.getCode(a), Uint8Array.of(0x60, 0))
    }
    // Not a key at all: read as absent, as a map lookup would.
    assert.deepEqual(await bin.getStorage(a, '0x1'), new Uint8Array(0))
    assert.equal(await bin.getAccount('0x12'), null)
  })

  it('refuses malformed snapshots with a clear error', () => {
    const ok: AccountStateJson = { balance: '0x1', nonce: '0x0' }
    const cases: [string, StateSnapshotJson, RegExp][] = [
      ['short address', { '0x1234': ok }, /address "0x1234" is not 0x and 40 hex digits/],
      ['address twice', { [addressOf(3)]: ok, [addressOf(3).toUpperCase().replace('0X', '0x')]: ok }, /given twice/],
      ['bad balance', { [addressOf(1)]: { balance: '0xzz', nonce: '0x0' } }, /balance of .* is not a number/],
      ['short slot', { [addressOf(1)]: { ...ok, storage: { '0x1': '0x01' } } }, /slot "0x1" of .* is not 0x and 64 hex digits/],
      ['value too long', { [addressOf(1)]: { ...ok, storage: { [slotOf(1)]: `0x${'11'.repeat(33)}` } } }, /value of slot .* longer than 32 bytes/],
      ['slot twice', { [addressOf(1)]: { ...ok, storage: { [slotOf(2)]: '0x01', [slotOf(2).toUpperCase().replace('0X', '0x')]: '0x02' } } }, /given twice/],
      ['short root', { [addressOf(1)]: { ...ok, storageRoot: '0x00' } }, /storage root of .* is not 32 bytes/],
      ['code that is not hex', { [addressOf(1)]: { ...ok, code: '0x6\u0130' } }, /code of .* is not 0x-hex/],
      ['value that is not hex', { [addressOf(1)]: { ...ok, storage: { [slotOf(1)]: '0x1\u0661' } } }, /is not 0x-hex/],
      ['negative balance', { [addressOf(1)]: { balance: '-5', nonce: '0x0' } }, /balance of .* is negative/],
    ]
    for (const [name, json, message] of cases) {
      assert.throws(() => encodeSnapshot(json), (err: unknown) => err instanceof StateError && err.code === 'STATE_SNAPSHOT_INVALID' && message.test(err.message), name)
    }
    assert.throws(() => new BinarySnapshotReader(new Uint8Array(16)), /not an encoded snapshot/)
  })
})
