// Exact traces: on random workloads every traced access set equals what independent observers
// see — the pre/post state diff of a plain sequential run (writes) and ethereumjs' own EIP-7928
// block access list of that run (touched accounts and storage slots) — and write sets replayed
// on the parent state reproduce every intermediate state of the sequential run.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { type BALJSONBlockAccessList, bytesToHex, createBlockLevelAccessList } from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { MapStateManager, type StateSnapshot } from '../../src/state/index.js'
import { TracingStateManager, type TxTrace, accessSetsFromBal, applyWriteSet, buildBlockAccessList, parseBal, traceTransaction } from '../../src/state-verification/index.js'
import { COINBASE, type Op, PROBE, buildTxs, genesis, makeBlock, makeCommon, wallets } from './helpers.js'

const ws = wallets(4)

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('transfer' as const), from: fc.nat(3), to: fc.nat(3), value: fc.bigInt(0n, 1000n) }),
  fc.record({ kind: fc.constant('transferNew' as const), from: fc.nat(3), seed: fc.nat(3), value: fc.bigInt(0n, 3n) }),
  fc.record({ kind: fc.constant('store' as const), from: fc.nat(3), k: fc.nat(3), v: fc.nat(2) }),
  fc.record({ kind: fc.constant('load' as const), from: fc.nat(3), k: fc.nat(3) }),
  fc.record({ kind: fc.constant('revertingStore' as const), from: fc.nat(3), k: fc.nat(3), v: fc.nat(5) }),
  fc.record({ kind: fc.constant('readCoinbase' as const), from: fc.nat(3) }),
  fc.record({ kind: fc.constant('payCoinbase' as const), from: fc.nat(3), value: fc.bigInt(0n, 50n) }),
  fc.record({ kind: fc.constant('readBalance' as const), from: fc.nat(3), of: fc.nat(3) }),
  fc.record({ kind: fc.constant('readCodeHash' as const), from: fc.nat(3), seed: fc.nat(7) }),
  fc.record({ kind: fc.constant('hash' as const), from: fc.nat(3), len: fc.nat(40) }),
  fc.record({ kind: fc.constant('identity' as const), from: fc.nat(3), len: fc.nat(40) }),
  fc.record({ kind: fc.constant('recover' as const), from: fc.nat(3) }),
  fc.record({ kind: fc.constant('create' as const), from: fc.nat(3), value: fc.bigInt(0n, 9n) }),
  fc.record({ kind: fc.constant('create2' as const), from: fc.nat(3), salt: fc.nat(2), value: fc.bigInt(0n, 9n) }),
  fc.record({ kind: fc.constant('createAndKill' as const), from: fc.nat(3), salt: fc.nat(2), to: fc.nat(3), value: fc.bigInt(0n, 9n) }),
  fc.record({ kind: fc.constant('killOld' as const), from: fc.nat(3), child: fc.nat(1), to: fc.nat(3) }),
  fc.record({ kind: fc.constant('setChild' as const), from: fc.nat(3), child: fc.nat(1), v: fc.nat(3) }),
  fc.record({ kind: fc.constant('deploy' as const), from: fc.nat(3) }),
  fc.record({ kind: fc.constant('badNonce' as const), from: fc.nat(3) }),
  fc.record({ kind: fc.constant('outOfGas' as const), from: fc.nat(3) }),
)

/** Normalised account view of a snapshot: addr -> field -> value (absent accounts omitted). */
function view(s: StateSnapshot): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>()
  for (const [addr, a] of s) {
    if (a === null) continue
    const m = new Map<string, string>()
    m.set('b', a.balance.toString())
    m.set('n', a.nonce.toString())
    m.set('c', a.codeHash === undefined ? 'none' : bytesToHex(a.codeHash))
    for (const [slot, v] of a.storage ?? []) {
      const h = bytesToHex(v)
      if (h !== '0x' && !/^0x0*$/.test(h)) m.set(`s:${slot}`, BigInt(h).toString())
    }
    out.set(addr, m)
  }
  return out
}

const noCode = 'none'
function normCode(v: string | undefined): string | undefined {
  // keccak256 of empty code and "no code hash" are the same thing.
  return v === '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470' ? noCode : v
}

/** Keys whose value differs between two views; `bothAbsent` collects nothing (created+deleted). */
function diffKeys(pre: Map<string, Map<string, string>>, post: Map<string, Map<string, string>>): Set<string> {
  const out = new Set<string>()
  for (const addr of new Set([...pre.keys(), ...post.keys()])) {
    const a = pre.get(addr)
    const b = post.get(addr)
    if ((a === undefined) !== (b === undefined)) {
      const present = (a ?? b) as Map<string, string>
      // Existence changed: every non-zero field changed.
      if (present.get('b') !== '0') out.add(`b:${addr}`)
      if (present.get('n') !== '0') out.add(`n:${addr}`)
      if (normCode(present.get('c')) !== noCode) out.add(`c:${addr}`)
      for (const k of present.keys()) if (k.startsWith('s:')) out.add(`s:${addr}:${k.slice(2)}`)
      continue
    }
    if (a === undefined || b === undefined) continue
    if (a.get('b') !== b.get('b')) out.add(`b:${addr}`)
    if (a.get('n') !== b.get('n')) out.add(`n:${addr}`)
    if (normCode(a.get('c')) !== normCode(b.get('c'))) out.add(`c:${addr}`)
    for (const k of new Set([...a.keys(), ...b.keys()])) if (k.startsWith('s:') && a.get(k) !== b.get(k)) out.add(`s:${addr}:${k.slice(2)}`)
  }
  return out
}

function viewsEqual(a: Map<string, Map<string, string>>, b: Map<string, Map<string, string>>): boolean {
  const flat = (v: Map<string, Map<string, string>>): string =>
    JSON.stringify(
      [...v.entries()]
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, m]) => [k, [...m.entries()].map(([f, x]) => [f, f === 'c' ? normCode(x) : x]).sort()]),
    )
  return flat(a) === flat(b)
}

const slotNorm = (s: string): string => `0x${BigInt(s === '0x' ? '0x0' : s).toString(16).padStart(64, '0')}`

interface PlainRun {
  steps: PlainStep[]
  /** The block-level EIP-7928 list ethereumjs built over the included transactions. */
  blockBal: BALJSONBlockAccessList
}

interface PlainStep {
  pre: Map<string, Map<string, string>>
  post: Map<string, Map<string, string>>
  bal: BALJSONBlockAccessList | undefined
  ok: boolean
  gas?: bigint
  minerValue?: bigint
  status?: number
}

async function runPlain(txs: TypedTransaction[], common: Common): Promise<PlainRun> {
  const state = new MapStateManager({ snapshot: genesis(ws) })
  const vm = await createVM({ common, stateManager: state })
  const block = makeBlock(common)
  const out: PlainStep[] = []
  const blockBal = createBlockLevelAccessList()
  let index = 1
  for (const tx of txs) {
    const pre = view(state.toSnapshot())
    // Per-tx list (touched accounts and slots of this tx alone) ...
    vm.evm.blockLevelAccessList = createBlockLevelAccessList()
    vm.evm.blockLevelAccessList.blockAccessIndex = 1
    let r
    try {
      r = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true })
    } catch {
      out.push({ pre, post: view(state.toSnapshot()), bal: undefined, ok: false })
      continue
    }
    out.push({ pre, post: view(state.toSnapshot()), bal: vm.evm.blockLevelAccessList.toJSON(), ok: true, gas: r.totalGasSpent, minerValue: r.minerValue, status: r.execResult.exceptionError === undefined ? 1 : 0 })
    index++
  }
  // ... and the block-level list, from a second run over the included txs with one shared list.
  const state2 = new MapStateManager({ snapshot: genesis(ws) })
  const vm2 = await createVM({ common, stateManager: state2 })
  vm2.evm.blockLevelAccessList = blockBal
  index = 1
  for (const [i, tx] of txs.entries()) {
    if (out[i]?.ok !== true) continue
    blockBal.blockAccessIndex = index++
    await runTx(vm2, { tx, block, skipBlockGasLimitValidation: true })
  }
  return { steps: out, blockBal: blockBal.toJSON() }
}

async function runTraced(txs: TypedTransaction[], common: Common): Promise<TxTrace[]> {
  const state = new TracingStateManager(new MapStateManager({ snapshot: genesis(ws) }))
  const vm = await createVM({ common, stateManager: state })
  const block = makeBlock(common)
  const out: TxTrace[] = []
  for (const tx of txs) out.push(await traceTransaction(vm, tx, { block }))
  return out
}

/** Keys of accounts created and destroyed inside the tx: no change survives, the BAL lists none. */
function isCreatedAndDeleted(k: string, t: TxTrace): boolean {
  const a = k.slice(2, 44)
  if (t.writeSet.accounts.get(a)?.deleted !== true) return false
  return k[0] !== 'b' || t.writeSet.accounts.get(a)?.balance === undefined
}

function addrOfKey(k: string): string {
  return k.slice(2, 44)
}

async function checkCase(ops: Op[], withBal = true): Promise<void> {
  const common = makeCommon(withBal)
  const txs = buildTxs(ops, ws, common)
  const plainRun = await runPlain(txs, common)
  const plain = plainRun.steps
  const traced = await runTraced(txs, common)
  // The EIP-7928 list built from the traces equals ethereumjs' own, byte for byte.
  if (withBal) await checkBal(traced, plainRun)
  const replay = new MapStateManager({ snapshot: genesis(ws) })
  for (const [i, p] of plain.entries()) {
    const t = traced[i] as TxTrace
    const op = ops[i] as Op
    const ctx = `tx ${i} ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`
    assert.equal(t.outcome.included, p.ok, `${ctx}: inclusion`)
    if (!t.outcome.included) continue
    assert.equal(t.outcome.gasUsed, p.gas, `${ctx}: gas`)
    await applyWriteSet(replay, t.writeSet)
    assert.ok(viewsEqual(view(replay.toSnapshot()), p.post), `${ctx}: replayed state`)
  }
  if (!withBal) return
  checkAccesses(ops, plain, traced)
}

async function checkBal(traced: TxTrace[], plainRun: PlainRun): Promise<void> {
  const included = traced.filter((t) => t.outcome.included)
  const built = await buildBlockAccessList(included, new MapStateManager({ snapshot: genesis(ws) }), { alwaysTouched: [COINBASE] })
  assert.deepEqual(built.json, plainRun.blockBal, 'block access list')
  assert.deepEqual(parseBal(built.rlp).toJSON(), built.json, 'BAL RLP round trip')
  // And the BAL read back gives every tx's writes exactly.
  const back = accessSetsFromBal(built.rlp, { txCount: included.length })
  for (const [i, t] of included.entries()) {
    const want = [...t.accessSet.writes].filter((k) => !isCreatedAndDeleted(k, t))
    for (const a of t.accessSet.credits.keys()) want.push(`b:${a}`)
    assert.deepEqual([...(back.accessSets[i]?.writes ?? [])].sort(), [...new Set(want)].sort(), `BAL writes of included tx ${i}`)
  }
}

function checkAccesses(ops: Op[], plain: PlainStep[], traced: TxTrace[]): void {
  for (const [i, p] of plain.entries()) {
    const t = traced[i] as TxTrace
    const op = ops[i] as Op
    const ctx = `tx ${i} ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`
    assert.equal(t.outcome.included, p.ok, `${ctx}: inclusion`)
    if (!t.outcome.included) {
      assert.equal(t.accessSet.writes.size, 0, `${ctx}: excluded tx writes nothing`)
      assert.ok(t.accessSet.reads.has(`n:${ws[op.from % ws.length]?.address}`), `${ctx}: excluded tx read its sender nonce`)
      continue
    }
    assert.equal(t.outcome.gasUsed, p.gas, `${ctx}: gas`)
    assert.equal(t.outcome.status, p.status, `${ctx}: status`)

    // Writes equal the keys whose value changed (credits stand for the coinbase balance).
    const changed = diffKeys(p.pre, p.post)
    const mine = new Set(t.accessSet.writes)
    for (const [a, v] of t.accessSet.credits) if (v !== 0n) mine.add(`b:${a}`)
    // Accounts created and deleted within the tx change nothing; the trace still writes them.
    for (const k of [...mine]) {
      const a = addrOfKey(k)
      if (!p.pre.has(a) && !p.post.has(a)) {
        assert.equal(t.writeSet.accounts.get(a)?.deleted, true, `${ctx}: ${a} deleted`)
        mine.delete(k)
      }
    }
    assert.deepEqual([...mine].sort(), [...changed].sort(), `${ctx}: writes`)

    // Coinbase: paid by credit, read only when EVM code reads it.
    assert.equal(t.accessSet.credits.get(COINBASE) ?? 0n, p.minerValue, `${ctx}: coinbase credit`)
    // EXTCODEHASH of the coinbase reads its existence, hence its balance (credits make it exist).
    const readsCoinbase = op.kind === 'readCoinbase' || op.kind === 'payCoinbase' || (op.kind === 'readCodeHash' && op.seed % 6 === 1)
    assert.equal(t.accessSet.reads.has(`b:${COINBASE}`), readsCoinbase, `${ctx}: coinbase read`)
    assert.ok(!t.accessSet.writes.has(`b:${COINBASE}`) || op.kind === 'payCoinbase', `${ctx}: coinbase write`)

    // Touched accounts and storage slots equal ethereumjs' EIP-7928 view.
    const bal = p.bal ?? []
    const balAddrs = new Set(bal.map((e) => e.address))
    const myAddrs = new Set<string>()
    for (const k of [...t.accessSet.reads, ...t.accessSet.writes]) myAddrs.add(addrOfKey(k))
    for (const a of t.accessSet.credits.keys()) myAddrs.add(a)
    assert.deepEqual([...myAddrs].sort(), [...balAddrs].sort(), `${ctx}: touched accounts`)
    const balSlots = new Set<string>()
    for (const e of bal) {
      for (const s of e.storageReads) balSlots.add(`s:${e.address}:${slotNorm(s)}`)
      for (const c of e.storageChanges) balSlots.add(`s:${e.address}:${slotNorm(c.slot)}`)
    }
    const mySlots = [...t.accessSet.reads, ...t.accessSet.writes].filter((k) => k.startsWith('s:'))
    assert.deepEqual([...new Set(mySlots)].sort(), [...balSlots].sort(), `${ctx}: storage slots`)

    // Reverted writes are not writes.
    if (op.kind === 'revertingStore') {
      // Only `last` (slot 1) may change; the mapping slot written by the reverted call may not.
      const slotWrites = [...t.accessSet.writes].filter((k) => k.startsWith(`s:${PROBE}`) && k !== `s:${PROBE}:0x${'1'.padStart(64, '0')}`)
      assert.deepEqual(slotWrites, [], `${ctx}: reverted store`)
    }

  }
}

test('traced access sets equal the state diff and the EIP-7928 view; write sets replay exactly', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
      await checkCase(ops)
    }),
    { numRuns: Number(process.env.SV_RUNS ?? 40) },
  )
})

test('production rules (no EIP-7928): write sets replay the sequential run exactly', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
      await checkCase(ops, false)
    }),
    { numRuns: Number(process.env.SV_RUNS ?? 20) },
  )
})

test('every op kind traced in sequence', async () => {
  const ops: Op[] = [
    { kind: 'transfer', from: 0, to: 1, value: 10n },
    { kind: 'store', from: 1, k: 1, v: 2 },
    { kind: 'revertingStore', from: 2, k: 1, v: 3 },
    { kind: 'readCoinbase', from: 3 },
    { kind: 'payCoinbase', from: 0, value: 5n },
    { kind: 'hash', from: 1, len: 3 },
    { kind: 'identity', from: 2, len: 33 },
    { kind: 'recover', from: 3 },
    { kind: 'create', from: 0, value: 1n },
    { kind: 'create2', from: 1, salt: 1, value: 2n },
    { kind: 'create2', from: 2, salt: 1, value: 0n },
    { kind: 'createAndKill', from: 3, salt: 2, to: 0, value: 3n },
    { kind: 'killOld', from: 0, child: 0, to: 1 },
    { kind: 'setChild', from: 1, child: 1, v: 9 },
    { kind: 'deploy', from: 2 },
    { kind: 'badNonce', from: 3 },
    { kind: 'outOfGas', from: 0 },
    { kind: 'transferNew', from: 1, seed: 1, value: 0n },
    { kind: 'transferNew', from: 2, seed: 2, value: 1n },
    { kind: 'readCodeHash', from: 3, seed: 5 },
    { kind: 'readBalance', from: 0, of: 2 },
    { kind: 'load', from: 1, k: 1 },
  ]
  await checkCase(ops)
})

test('replay a counterexample from SV_OPS', { skip: process.env.SV_OPS === undefined }, async () => {
  const ops = JSON.parse(process.env.SV_OPS ?? '[]', (k, v) => (k === 'value' ? BigInt(v) : v)) as Op[]
  await checkCase(ops)
})
