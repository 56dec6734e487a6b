import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Caches } from '@ethereumjs/statemanager'
import { Account, Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { CachedMerkleStateManager, MapStateManager, snapshotFromJson, snapshotToJson, type StateReader } from '../../src/state/index.js'

const ADDRS = [1, 2, 3, 4].map((i) => new Address(hexToBytes(`0x${i.toString(16).padStart(40, '0')}`)))
const SLOTS = [0, 1, 2].map((i) => hexToBytes(`0x${i.toString(16).padStart(64, '0')}`))

type Op =
  | { op: 'putAccount'; a: number; balance: bigint; nonce: bigint }
  | { op: 'deleteAccount'; a: number }
  | { op: 'putStorage'; a: number; s: number; v: number }
  | { op: 'clearStorage'; a: number }
  | { op: 'putCode'; a: number; code: number }
  | { op: 'checkpoint' }
  | { op: 'commit' }
  | { op: 'revert' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('putAccount' as const), a: fc.nat(3), balance: fc.bigInt(0n, 1000n), nonce: fc.bigInt(0n, 5n) }),
  fc.record({ op: fc.constant('deleteAccount' as const), a: fc.nat(3) }),
  fc.record({ op: fc.constant('putStorage' as const), a: fc.nat(3), s: fc.nat(2), v: fc.nat(3) }),
  fc.record({ op: fc.constant('clearStorage' as const), a: fc.nat(3) }),
  fc.record({ op: fc.constant('putCode' as const), a: fc.nat(3), code: fc.nat(2) }),
  fc.constant({ op: 'checkpoint' as const }),
  fc.constant({ op: 'commit' as const }),
  fc.constant({ op: 'revert' as const }),
)

async function observe(sm: MapStateManager | CachedMerkleStateManager): Promise<string> {
  const parts: string[] = []
  for (const a of ADDRS) {
    const acc = await sm.getAccount(a)
    parts.push(acc === undefined ? 'none' : `${acc.balance}/${acc.nonce}/${bytesToHex(acc.codeHash)}`)
    parts.push(bytesToHex(await sm.getCode(a)))
    if (acc !== undefined) for (const s of SLOTS) parts.push(bytesToHex(await sm.getStorage(a, s)))
  }
  return parts.join('|')
}

async function apply(sm: MapStateManager | CachedMerkleStateManager, op: Op, depth: { d: number }): Promise<void> {
  switch (op.op) {
    case 'putAccount': {
      const a = ADDRS[op.a]!
      const prev = (await sm.getAccount(a)) ?? new Account()
      prev.balance = op.balance
      prev.nonce = op.nonce
      return sm.putAccount(a, prev)
    }
    case 'deleteAccount':
      return sm.deleteAccount(ADDRS[op.a]!)
    case 'putStorage': {
      const a = ADDRS[op.a]!
      if ((await sm.getAccount(a)) === undefined) await sm.putAccount(a, new Account())
      return sm.putStorage(a, SLOTS[op.s]!, op.v === 0 ? new Uint8Array() : Uint8Array.of(op.v))
    }
    case 'clearStorage':
      if ((await sm.getAccount(ADDRS[op.a]!)) === undefined) return
      return sm.clearStorage(ADDRS[op.a]!)
    case 'putCode':
      return sm.putCode(ADDRS[op.a]!, op.code === 0 ? new Uint8Array() : Uint8Array.of(0x60, op.code, 0x00))
    case 'checkpoint':
      depth.d++
      return sm.checkpoint()
    case 'commit':
      if (depth.d === 0) return
      depth.d--
      return sm.commit()
    case 'revert':
      if (depth.d === 0) return
      depth.d--
      return sm.revert()
  }
}

describe('MapStateManager', () => {
  it('behaves like the cached Merkle state under random ops with checkpoints', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
        const merkle = new CachedMerkleStateManager({ caches: new Caches() })
        const map = new MapStateManager()
        const dm = { d: 0 }
        const dp = { d: 0 }
        for (const op of ops) {
          await apply(merkle, op, dm)
          await apply(map, op, dp)
          assert.equal(await observe(map), await observe(merkle))
        }
      }),
      { numRuns: 150 },
    )
  })

  it('reads missing keys from the fallback and reports each miss once', async () => {
    const misses: string[] = []
    const reader: StateReader = {
      getAccount: async (addr) => ({ balance: 7n, nonce: 1n, storageRoot: hexToBytes(`0x${'11'.repeat(32)}`) }),
      getCode: async () => new Uint8Array(),
      getStorage: async (_addr, slot) => (slot.endsWith('1') ? Uint8Array.of(9) : new Uint8Array()),
    }
    const sm = new MapStateManager({ fallback: reader, onMiss: (k, a, s) => misses.push(`${k}:${a}:${s ?? ''}`) })
    const a = ADDRS[0]!
    assert.equal((await sm.getAccount(a))?.balance, 7n)
    assert.deepEqual(await sm.getStorage(a, SLOTS[1]!), Uint8Array.of(9))
    assert.deepEqual(await sm.getStorage(a, SLOTS[1]!), Uint8Array.of(9))
    await sm.getAccount(a)
    assert.equal(misses.length, 2)
    assert.ok(misses[0]!.startsWith('account:'))
    assert.ok(misses[1]!.startsWith('storage:'))
  })

  it('round-trips snapshots through JSON', async () => {
    const sm = new MapStateManager()
    const a = ADDRS[2]!
    await sm.putAccount(a, new Account(3n, 99n))
    await sm.putCode(a, Uint8Array.of(0x60, 0x01, 0x00))
    await sm.putStorage(a, SLOTS[0]!, Uint8Array.of(0, 5))
    const json = snapshotToJson(sm.toSnapshot())
    const again = new MapStateManager({ snapshot: snapshotFromJson(JSON.parse(JSON.stringify(json))) })
    assert.equal(await observe(again), await observe(sm))
  })
})
