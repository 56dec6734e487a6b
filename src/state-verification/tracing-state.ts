/**
 * TracingStateManager: a `StateManagerInterface` wrapper that records, per transaction, the
 * AccessSet (reads, writes, credits over StateKeys) and the WriteSet (post values) of whatever
 * runs on top of it (ethereumjs `runTx` / EVM). It passes every call through to the wrapped
 * state, so state keeps flowing from one transaction to the next (group execution), or can be
 * rolled back after each transaction (speculative prediction against a fixed parent).
 *
 * Granularity — what each source of state access gives:
 *   - `getAccount` returns an account whose fields are read lazily: the returned object records
 *     `b:` when `.balance` is read, `n:` for `.nonce`, `c:` for `.codeHash` / `isContract()`, and
 *     `n:`+`c:` for `.storageRoot` (only the EIP-7610 collision check reads it; storage
 *     non-emptiness of an account with nonce 0 and no code is not tracked separately). So
 *     BALANCE/SELFBALANCE read the balance only, EXTCODEHASH reads what `isEmpty()` short-circuits
 *     through plus the code, a CALL with value reads the balances, etc. — field-exact, without
 *     the EVM `step` event. An absent account (`undefined`) reads `b:`, `n:` and `c:` (existence
 *     depends on all three).
 *   - `getCode` / `getCodeSize`: `c:`. `getStorage` and the original-value cache (SSTORE gas):
 *     `s:addr:slot`.
 *   - A read of a key this transaction already wrote (and did not revert) is not a read: the
 *     value comes from the transaction itself. The same holds for any slot of an account whose
 *     storage this transaction cleared (CREATE target, deleted account). For lazily read fields
 *     the decision is taken when the account is fetched, so a stale object still records.
 *   - Writes: `putAccount` compares each field with the wrapped state's current value and
 *     records only fields that change (`b:`, `n:`, `c:` for a code hash change); `putStorage`
 *     records the slot if the value changes; `putCode` records `c:` if the code changes. A
 *     write that does not change the current value is a no-op on state in this run and in any
 *     run with the same reads (every written value is a function of recorded reads, or a
 *     pass-through of an unread field), so dropping it is safe. A write that later gets
 *     restored within the same transaction stays a write (simple and safe).
 *   - Writes inside a reverted frame are undone (journal per checkpoint); reads are kept.
 *   - `deleteAccount` (SELFDESTRUCT of a same-transaction contract, EIP-161 cleanup) writes
 *     `b:`, `n:`, `c:` and every slot this transaction wrote, and marks the account deleted —
 *     unless the account did not exist when this transaction first saw it and the transaction
 *     changed nothing in it (a touched empty account such as a called precompile): then
 *     nothing changed and nothing is recorded.
 *   - Fee recipients (the block coinbase, plus configured fee vaults) receive commutative
 *     credits through `credit()` (see credit.ts). Credits are kept pending, without reading the
 *     recipient's balance, until EVM code really reads that account (`getAccount` outside the
 *     settlement phase): then pending credits are folded into the wrapped state and the read is
 *     recorded as usual. ethereumjs' own coinbase payment in `runTx` happens after the depth-0
 *     message ends (tracked with the EVM `beforeMessage`/`afterMessage` events): in that
 *     settlement phase a fee recipient that was not read gets a placeholder account, and the
 *     balance it is given is recorded as a credit, not as a read and a write; its EIP-161
 *     cleanup is skipped (a fee recipient that exists but is empty would be deleted by a
 *     sequential run: not modelled).
 */
import type { AccountFields, StateManagerInterface } from '@ethereumjs/common'
import { Account, Address, KECCAK256_NULL, equalsBytes, hexToBytes, setLengthLeft, unpadBytes } from '@ethereumjs/util'
import type { EVMInterface } from '@ethereumjs/evm'
import type { AccessSet } from './access-set.js'
import type { CreditSink } from './credit.js'
import type { StateKey } from './state-key.js'
import { StateVerificationError } from './errors.js'
import type { AccountWrite, WriteSet } from './write-set.js'
import { toHex } from '../common/index.js'

const EMPTY = new Uint8Array(0)
const F_BAL = 1
const F_NONCE = 2
const F_CODE = 4
const F_ALL = 7
const ORDER = [F_CODE, F_BAL, F_NONCE] as const

/** What one traced transaction touched and left behind. */
export interface TxAccessTrace {
  accessSet: AccessSet
  writeSet: WriteSet
  /** With a watched sender (`beginTx(sender)`): how the transaction used the sender's account. */
  sender?: SenderUse
}

/**
 * The watched sender's account as the transaction used it: its balance before the transaction,
 * whether it had no code, and how often EVM code (message depth >= 1) fetched it. The first such
 * fetch is the top call's own value transfer; any other (BALANCE, a call to the sender) means the
 * execution may have observed the balance.
 */
export interface SenderUse {
  pre: bigint
  codeless: boolean
  evmFetches: number
}

export interface TracingStateOptions {
  /** Addresses (0x-hex) whose fee payments are commutative credits (fee vaults). */
  feeRecipients?: Iterable<string>
}

/** The EVM the tracer listens to (message depth, to find the settlement phase). */
export type TraceableEvm = Pick<EVMInterface, 'events'>

type WriteValue = bigint | Uint8Array

/** Copied account fields (the EVM mutates the Account objects it gets). */
interface Fields {
  nonce: bigint
  balance: bigint
  codeHash: Uint8Array
}

/** An account whose field reads are recorded when the EVM actually reads them. */
class TracedAccount extends Account {
  private readonly tracer: TracingStateManager
  private readonly addr: string
  private seen: number

  constructor(src: Account, tracer: TracingStateManager, addr: string, seen: number) {
    super(src._nonce ?? 0n, src._balance ?? 0n, src._storageRoot ?? undefined, src._codeHash ?? undefined)
    this.tracer = tracer
    this.addr = addr
    this.seen = seen
  }

  private see(flag: number): void {
    if ((this.seen & flag) !== 0) return
    this.seen |= flag
    this.tracer.noteFieldRead(this.addr, flag, this._balance ?? 0n, this._nonce ?? 0n)
  }

  override get balance(): bigint {
    this.see(F_BAL)
    return this._balance as bigint
  }
  override set balance(v: bigint) {
    this._balance = v
  }
  override get nonce(): bigint {
    this.see(F_NONCE)
    return this._nonce as bigint
  }
  override set nonce(v: bigint) {
    this._nonce = v
  }
  override get codeHash(): Uint8Array {
    this.see(F_CODE)
    return this._codeHash as Uint8Array
  }
  override set codeHash(v: Uint8Array) {
    this._codeHash = v
  }
  override get storageRoot(): Uint8Array {
    this.see(F_NONCE | F_CODE)
    return this._storageRoot as Uint8Array
  }
  override set storageRoot(v: Uint8Array) {
    this._storageRoot = v
  }
  override isContract(): boolean {
    this.see(F_CODE)
    return super.isContract()
  }
  /**
   * Same answer as Account.isEmpty, but consults fields the transaction already knows first
   * (own writes, earlier reads), then code, balance, nonce: a contract's emptiness (EIP-161
   * cleanup of touched accounts) then depends on its code only, a funded EOA's on its balance.
   */
  override isEmpty(): boolean {
    const known = this.tracer.knownFields(this.addr) | this.seen
    // Pass 0: fields already known (free); pass 1: the rest, in the order code, balance, nonce.
    for (let pass = 0; pass < 2; pass++) {
      for (const f of ORDER) {
        if (((known & f) !== 0) !== (pass === 0)) continue
        this.see(f)
        if (f === F_BAL && this._balance !== 0n) return false
        if (f === F_NONCE && this._nonce !== 0n) return false
        if (f === F_CODE && !equalsBytes(this._codeHash as Uint8Array, KECCAK256_NULL)) return false
      }
    }
    return true
  }
}

/** A plain Account copy (reading its fields records nothing). */
function plain(a: Account): Account {
  if (!(a instanceof TracedAccount)) return a
  return new Account(a._nonce ?? 0n, a._balance ?? 0n, a._storageRoot ?? undefined, a._codeHash ?? undefined)
}

const addrOf = (a: string): Address => new Address(hexToBytes(a as `0x${string}`))
const slotHex = (key: Uint8Array): string => toHex(key.length === 32 ? key : setLengthLeft(key, 32))

/** Wraps a state manager and records per-transaction access sets and write sets. */
export class TracingStateManager implements StateManagerInterface, CreditSink {
  readonly inner: StateManagerInterface
  readonly originalStorageCache: { get(address: Address, key: Uint8Array): Promise<Uint8Array>; clear(): void }

  private readonly fee = new Set<string>()
  private active = false
  private settling = false
  private depth = 0
  /** Watched sender (0x-lowercase) of the current transaction, and what it did with its account. */
  private watch: string | undefined
  private watched: SenderUse | undefined
  private readonly attached = new WeakSet<object>()

  // Per transaction (fresh objects each tx so stale undo entries cannot leak into the next one).
  private reads = new Set<StateKey>()
  private readValues = new Map<StateKey, WriteValue>()
  private writes = new Map<StateKey, WriteValue>()
  private wmask = new Map<string, number>()
  /** Per-address mask of account fields read (reads are never undone). */
  private rmask = new Map<string, number>()
  private credits = new Map<string, bigint>()
  private deleted = new Set<string>()
  private cleared = new Set<string>()
  private existed = new Map<string, boolean>()
  private settleBase = new Map<string, bigint>()
  /** Last known wrapped-state account per address during a tx (saves a re-read on put). */
  private cur = new Map<string, Fields | null>()
  /** The slot read last (SSTORE loads the current value right before it writes). */
  private lastSlot: { address: Address; key: Uint8Array; id: string; value: Uint8Array } | undefined

  // Wrapper lifetime: credits not yet folded into the wrapped state, and recipients whose
  // wrapped balance is real (includes every credit so far).
  private readonly pending = new Map<string, bigint>()
  private readonly materialized = new Set<string>()

  private undo: Array<() => void> = []
  private readonly marks: number[] = []

  constructor(inner: StateManagerInterface, opts: TracingStateOptions = {}) {
    this.inner = inner
    for (const a of opts.feeRecipients ?? []) this.fee.add(a.toLowerCase())
    this.originalStorageCache = {
      get: async (address, key) => {
        const v = await this.inner.originalStorageCache.get(address, key)
        if (this.active) {
          // The original value sets SSTORE gas: a read of the pre-tx value even after own writes.
          const addr = address.toString()
          const k = `s:${addr}:${slotHex(key)}`
          if (!this.cleared.has(addr) && !this.reads.has(k)) {
            this.reads.add(k)
            this.readValues.set(k, v)
          }
        }
        return v
      },
      clear: () => this.inner.originalStorageCache.clear(),
    }
  }

  /** Adds fee recipients (credits instead of read-modify-write). */
  addFeeRecipients(addrs: Iterable<string>): void {
    for (const a of addrs) this.fee.add(a.toLowerCase())
  }

  /** The configured fee recipients. */
  feeRecipients(): string[] {
    return [...this.fee].sort()
  }

  /** Credits recorded but not yet folded into the wrapped state (recipient never read here). */
  pendingCredits(): Map<string, bigint> {
    return new Map([...this.pending].filter(([, v]) => v !== 0n))
  }

  /** Listens to the EVM's message events to find the post-execution settlement phase. */
  attach(evm: TraceableEvm): void {
    if (this.attached.has(evm)) return
    this.attached.add(evm)
    if (evm.events === undefined) throw new StateVerificationError('SV_NOT_TRACING', 'the EVM has no event emitter')
    evm.events.on('beforeMessage', () => {
      this.depth++
    })
    evm.events.on('afterMessage', () => {
      this.depth--
      if (this.depth === 0 && this.active) this.settling = true
    })
  }

  /** Starts recording a transaction. */
  beginTx(sender?: string): void {
    this.watch = sender
    this.watched = undefined
    this.active = true
    this.settling = false
    this.depth = 0
    this.reads = new Set()
    this.readValues = new Map()
    this.writes = new Map()
    this.wmask = new Map()
    this.rmask = new Map()
    this.credits = new Map()
    this.deleted = new Set()
    this.cleared = new Set()
    this.existed = new Map()
    this.settleBase = new Map()
    this.cur = new Map()
    this.lastSlot = undefined
  }

  /** Marks the start of the settlement phase explicitly (for runners without EVM events). */
  beginSettlement(): void {
    if (this.active) this.settling = true
  }

  /** Stops recording and returns the transaction's access set and write set. */
  endTx(): TxAccessTrace {
    this.active = false
    this.settling = false
    const writes = new Set<StateKey>()
    const accounts = new Map<string, AccountWrite>()
    const acct = (addr: string): AccountWrite => {
      let a = accounts.get(addr)
      if (a === undefined) {
        a = {}
        accounts.set(addr, a)
      }
      return a
    }
    for (const addr of this.deleted) acct(addr).deleted = true
    for (const addr of this.cleared) if (!this.deleted.has(addr)) acct(addr).storageCleared = true
    for (const [key, v] of this.writes) {
      const addr = key.slice(2, 44)
      if (this.restored(key, v, addr)) continue
      writes.add(key)
      if (this.deleted.has(addr)) continue
      const a = acct(addr)
      switch (key[0]) {
        case 'b':
          a.balance = v as bigint
          break
        case 'n':
          a.nonce = v as bigint
          break
        case 'c':
          a.code = v as Uint8Array
          break
        case 's':
          ;(a.storage ??= new Map()).set(key.slice(45), v as Uint8Array)
          break
      }
    }
    const credits = new Map<string, bigint>()
    for (const [k, v] of this.credits) if (v !== 0n) credits.set(k, v)
    const out: TxAccessTrace = {
      accessSet: { reads: this.reads, writes, credits },
      writeSet: { accounts, credits: new Map(credits) },
    }
    if (this.watched !== undefined) out.sender = this.watched
    this.watch = undefined
    return out
  }

  // ---- recording helpers -------------------------------------------------------------------

  private noteSenderFetch(acc: Account | undefined): void {
    if (this.watched === undefined) {
      // The first fetch is runTx's own (nonce and funds checks), before any message.
      this.watched = { pre: acc?.balance ?? 0n, codeless: acc === undefined || equalsBytes(acc.codeHash, KECCAK256_NULL), evmFetches: 0 }
    }
    if (this.depth >= 1 && !this.settling) this.watched.evmFetches++
  }

  /** Called by traced accounts when the EVM reads one of their fields. */
  noteFieldRead(addr: string, flags: number, balance: bigint, nonce: bigint): void {
    if (!this.active) return
    this.rmask.set(addr, (this.rmask.get(addr) ?? 0) | flags)
    if ((flags & F_BAL) !== 0) this.readKey(`b:${addr}`, balance)
    if ((flags & F_NONCE) !== 0) this.readKey(`n:${addr}`, nonce)
    if ((flags & F_CODE) !== 0) this.readKey(`c:${addr}`)
  }

  /** Fields of `addr` the tx already read or wrote (checking them again costs nothing). */
  knownFields(addr: string): number {
    return (this.wmask.get(addr) ?? 0) | (this.rmask.get(addr) ?? 0)
  }

  /** Records a read unless the tx wrote the key; keeps the first value seen (pre-tx value). */
  private readKey(key: StateKey, value?: WriteValue): void {
    if (this.writes.has(key) || this.reads.has(key)) return
    this.reads.add(key)
    if (value !== undefined) this.readValues.set(key, value)
  }

  /**
   * True when a written key ends the transaction with the value it had when the transaction
   * first read it: the net effect is nil under the same reads, so it is not a write (as in
   * EIP-7928). Only keys read before being written qualify (a blind write could differ on
   * another pre-state); fee recipients' balances and code are kept as written.
   */
  private restored(key: StateKey, v: WriteValue, addr: string): boolean {
    const k = key[0]
    if (k === 'c' || this.deleted.has(addr)) return false
    if (k === 'b' && this.fee.has(addr)) return false
    if (k === 's' && this.cleared.has(addr)) return false
    const r = this.readValues.get(key)
    if (r === undefined) return false
    if (typeof v === 'bigint') return r === v
    return typeof r !== 'bigint' && equalsBytes(unpadBytes(r), unpadBytes(v))
  }

  private journal(fn: () => void): void {
    if (this.marks.length > 0) this.undo.push(fn)
  }

  private setWrite(key: StateKey, v: WriteValue): void {
    const w = this.writes
    const had = w.has(key)
    const prev = w.get(key)
    w.set(key, v)
    if (had) {
      this.journal(() => w.set(key, prev as WriteValue))
      return
    }
    const flag = key[0] === 'b' ? F_BAL : key[0] === 'n' ? F_NONCE : key[0] === 'c' ? F_CODE : 0
    if (flag === 0) {
      this.journal(() => w.delete(key))
      return
    }
    // Per-address mask of written account fields (saves building keys on every getAccount).
    const m = this.wmask
    const addr = key.slice(2, 44)
    m.set(addr, (m.get(addr) ?? 0) | flag)
    this.journal(() => {
      w.delete(key)
      m.set(addr, (m.get(addr) ?? 0) & ~flag)
    })
  }

  private setInSet(s: Set<string>, k: string, on: boolean): void {
    const had = s.has(k)
    if (had === on) return
    if (on) s.add(k)
    else s.delete(k)
    this.journal(() => (had ? s.add(k) : s.delete(k)))
  }

  private setPending(addr: string, v: bigint): void {
    const p = this.pending
    const prev = p.get(addr) ?? 0n
    p.set(addr, v)
    this.journal(() => p.set(addr, prev))
  }

  private addTxCredit(addr: string, amount: bigint): void {
    if (amount === 0n) return
    const c = this.credits
    const had = c.has(addr)
    const prev = c.get(addr) ?? 0n
    c.set(addr, prev + amount)
    this.journal(had ? () => c.set(addr, prev) : () => c.delete(addr))
  }

  /** A balance write after credits of this tx includes them (it was computed from a read). */
  private dropTxCredit(addr: string): void {
    const c = this.credits
    if (!c.has(addr)) return
    const prev = c.get(addr) as bigint
    c.delete(addr)
    this.journal(() => c.set(addr, prev))
  }

  /** Folds pending credits into the wrapped state so a real read sees every earlier credit. */
  private async materialize(addr: string): Promise<void> {
    if (this.materialized.has(addr)) return
    const p = this.pending.get(addr) ?? 0n
    if (p !== 0n) {
      const address = addrOf(addr)
      const acc = (await this.inner.getAccount(address)) ?? new Account()
      acc.balance += p
      await this.inner.putAccount(address, acc)
      this.cur.delete(addr)
      this.setPending(addr, 0n)
    }
    this.setInSet(this.materialized, addr, true)
  }

  private hasWritesFor(addr: string): boolean {
    for (const k of this.writes.keys()) if (k.slice(2, 44) === addr) return true
    return false
  }

  private clearSlotWrites(addr: string): void {
    const prefix = `s:${addr}:`
    for (const k of [...this.writes.keys()]) if (k.startsWith(prefix)) this.setWrite(k, EMPTY)
    this.setInSet(this.cleared, addr, true)
  }

  // ---- CreditSink ----------------------------------------------------------------------------

  /** Records a commutative credit; the recipient's balance is not read. */
  async credit(address: Address, amount: bigint): Promise<void> {
    if (amount === 0n) return
    const addr = address.toString()
    this.fee.add(addr)
    if (this.materialized.has(addr)) {
      const acc = (await this.inner.getAccount(address)) ?? new Account()
      acc.balance += amount
      await this.inner.putAccount(address, acc)
      this.cur.delete(addr)
    } else {
      this.setPending(addr, (this.pending.get(addr) ?? 0n) + amount)
    }
    if (this.active) this.addTxCredit(addr, amount)
  }

  // ---- StateManagerInterface -----------------------------------------------------------------

  async getAccount(address: Address): Promise<Account | undefined> {
    if (!this.active) return this.inner.getAccount(address)
    const addr = address.toString()
    if (this.fee.has(addr)) {
      if (this.settling) {
        if (!this.materialized.has(addr)) return new Account(0n, this.settleBase.get(addr) ?? 0n)
        const a = await this.inner.getAccount(address)
        this.settleBase.set(addr, a?.balance ?? 0n)
        return a
      }
      await this.materialize(addr)
    }
    const acc = await this.inner.getAccount(address)
    if (addr === this.watch) this.noteSenderFetch(acc)
    if (!this.existed.has(addr)) this.existed.set(addr, acc !== undefined)
    if (acc === undefined) {
      this.cur.set(addr, null)
      this.rmask.set(addr, F_ALL)
      this.readKey(`b:${addr}`, 0n)
      this.readKey(`n:${addr}`, 0n)
      this.readKey(`c:${addr}`)
      return undefined
    }
    const seen = this.wmask.get(addr) ?? 0
    if (seen === F_ALL) {
      this.cur.set(addr, { nonce: acc.nonce, balance: acc.balance, codeHash: acc.codeHash })
      return acc
    }
    // `acc` stays private (the EVM mutates the copy), so it can serve as the current value.
    this.cur.set(addr, acc)
    return new TracedAccount(acc, this, addr, seen)
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address)
    const p = plain(account)
    if (!this.active) return this.inner.putAccount(address, p)
    const addr = address.toString()
    if (this.settling && this.fee.has(addr)) {
      if (!this.materialized.has(addr)) {
        // Placeholder from the settlement phase: the balance it gained is a credit.
        const base = this.settleBase.get(addr) ?? 0n
        this.settleBase.set(addr, p.balance)
        const delta = p.balance - base
        this.setPending(addr, (this.pending.get(addr) ?? 0n) + delta)
        this.addTxCredit(addr, delta)
        return
      }
      const base = this.settleBase.get(addr) ?? (await this.inner.getAccount(address))?.balance ?? 0n
      this.settleBase.set(addr, p.balance)
      await this.inner.putAccount(address, p)
      this.cur.delete(addr)
      this.addTxCredit(addr, p.balance - base)
      return
    }
    const known = this.cur.get(addr)
    const prev: Fields | undefined = known === undefined ? await this.inner.getAccount(address) : known === null ? undefined : known
    await this.inner.putAccount(address, p)
    this.cur.set(addr, { nonce: p.nonce, balance: p.balance, codeHash: p.codeHash })
    this.setInSet(this.deleted, addr, false)
    if ((prev?.balance ?? 0n) !== p.balance) {
      this.setWrite(`b:${addr}`, p.balance)
      this.dropTxCredit(addr)
    }
    if ((prev?.nonce ?? 0n) !== p.nonce) this.setWrite(`n:${addr}`, p.nonce)
    if (!equalsBytes(prev?.codeHash ?? KECCAK256_NULL, p.codeHash)) this.setWrite(`c:${addr}`, await this.inner.getCode(address))
  }

  async deleteAccount(address: Address): Promise<void> {
    if (!this.active) return this.inner.deleteAccount(address)
    const addr = address.toString()
    if (this.settling && this.fee.has(addr) && !this.materialized.has(addr)) return
    const changed = (this.existed.get(addr) ?? true) || this.hasWritesFor(addr)
    this.lastSlot = undefined
    await this.inner.deleteAccount(address)
    this.cur.set(addr, null)
    if (!changed) return
    this.setWrite(`b:${addr}`, 0n)
    this.setWrite(`n:${addr}`, 0n)
    this.setWrite(`c:${addr}`, EMPTY)
    this.clearSlotWrites(addr)
    this.setInSet(this.deleted, addr, true)
    this.dropTxCredit(addr)
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const addr = address.toString()
    if (this.active && !this.settling && this.fee.has(addr)) await this.materialize(addr)
    const acc = (await this.inner.getAccount(address)) ?? new Account()
    if (fields.nonce !== undefined) acc.nonce = fields.nonce
    if (fields.balance !== undefined) acc.balance = fields.balance
    if (fields.codeHash !== undefined) acc.codeHash = fields.codeHash
    if (fields.storageRoot !== undefined) acc.storageRoot = fields.storageRoot
    await this.putAccount(address, acc)
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    if (!this.active) return this.inner.putCode(address, value)
    const prev = await this.inner.getCode(address)
    await this.inner.putCode(address, value)
    const addr = address.toString()
    this.cur.delete(addr)
    this.setInSet(this.deleted, addr, false)
    if (!equalsBytes(prev, value)) this.setWrite(`c:${addr}`, value)
  }

  async getCode(address: Address): Promise<Uint8Array> {
    if (this.active) this.readKey(`c:${address.toString()}`)
    return this.inner.getCode(address)
  }

  async getCodeSize(address: Address): Promise<number> {
    if (this.active) this.readKey(`c:${address.toString()}`)
    return this.inner.getCodeSize(address)
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const v = await this.inner.getStorage(address, key)
    if (this.active) {
      const addr = address.toString()
      const id = `s:${addr}:${slotHex(key)}`
      this.lastSlot = { address, key, id, value: v }
      if (!this.cleared.has(addr)) this.readKey(id, v)
    }
    return v
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    if (!this.active) return this.inner.putStorage(address, key, value)
    const v = unpadBytes(value)
    const last = this.lastSlot
    this.lastSlot = undefined
    let id: string
    let prev: Uint8Array
    if (last !== undefined && last.address.equals(address) && equalsBytes(last.key, key)) {
      id = last.id
      prev = unpadBytes(last.value)
    } else {
      id = `s:${address.toString()}:${slotHex(key)}`
      prev = unpadBytes(await this.inner.getStorage(address, key))
    }
    await this.inner.putStorage(address, key, value)
    if (!equalsBytes(prev, v)) this.setWrite(id, v)
  }

  async clearStorage(address: Address): Promise<void> {
    this.lastSlot = undefined
    await this.inner.clearStorage(address)
    this.cur.delete(address.toString())
    if (this.active) this.clearSlotWrites(address.toString())
  }

  async checkpoint(): Promise<void> {
    this.marks.push(this.undo.length)
    await this.inner.checkpoint()
  }

  async commit(): Promise<void> {
    this.marks.pop()
    if (this.marks.length === 0) this.undo = []
    await this.inner.commit()
  }

  async revert(): Promise<void> {
    this.cur = new Map()
    this.lastSlot = undefined
    const mark = this.marks.pop() ?? 0
    for (let i = this.undo.length - 1; i >= mark; i--) this.undo[i]?.()
    this.undo.length = mark
    await this.inner.revert()
  }

  getStateRoot(): Promise<Uint8Array> {
    return this.inner.getStateRoot()
  }
  setStateRoot(stateRoot: Uint8Array, clearCache?: boolean): Promise<void> {
    return this.inner.setStateRoot(stateRoot, clearCache)
  }
  hasStateRoot(root: Uint8Array): Promise<boolean> {
    return this.inner.hasStateRoot(root)
  }
  clearCaches(): void {
    this.inner.clearCaches()
  }
  shallowCopy(downlevelCaches?: boolean): StateManagerInterface {
    return new TracingStateManager(this.inner.shallowCopy(downlevelCaches), { feeRecipients: this.fee })
  }
}
