/**
 * EIP-7928 block access lists, both ways, using ethereumjs' `BlockLevelAccessList` (its RLP
 * layout is the EIP's current schema: `[address, [[slot, [[index, value]...]]...],
 * [readSlot...], [[index, balance]...], [[index, nonce]...], [[index, code]...]]`, accounts by
 * address, slots by key, changes by index; `block_access_list_hash = keccak256(rlp)`).
 *
 * Block access indices: 0 = pre-execution system calls, 1..n = transactions, n+1 = post
 * execution. Only transaction indices are produced here (`firstIndex` shifts them); the
 * committer adds system-call and withdrawal phases if its chain has them.
 *
 * Building needs the traces of the *actual* execution (the committed results, in canonical
 * order) and the parent state: a change is recorded only when the post value differs from the
 * value before that transaction (net-zero balance changes and no-op storage writes are reads,
 * as in the EIP), and fee credits become post balances.
 */
import type { StateManagerInterface } from '@ethereumjs/common'
import {
  type BALJSONBlockAccessList,
  BlockLevelAccessList,
  KECCAK256_NULL,
  bytesToHex,
  createBlockLevelAccessList,
  createBlockLevelAccessListFromJSON,
  createBlockLevelAccessListFromRLP,
  equalsBytes,
  hexToBytes,
  unpadBytes,
} from '@ethereumjs/util'
import { Address } from '@ethereumjs/util'
import type { AccessSet } from './access-set.js'
import { StateVerificationError } from './errors.js'
import type { StateKey } from './state-key.js'
import type { WriteSet } from './write-set.js'

/** What the BAL builder needs from one transaction. */
export interface BalTxInput {
  accessSet: AccessSet
  writeSet: WriteSet
}

/** The parent state as the BAL builder reads it. */
export type BalParentReader = Pick<StateManagerInterface, 'getAccount' | 'getCode' | 'getStorage'>

export interface BuildBalOptions {
  /** Block access index of the first transaction (default 1). */
  firstIndex?: number
  /** Addresses touched by every transaction (e.g. the coinbase, which EIP-7928 lists even for a zero reward). */
  alwaysTouched?: readonly string[]
}

/** A built block access list in every form. */
export interface BuiltBal {
  bal: BlockLevelAccessList
  rlp: Uint8Array
  hash: Uint8Array
  json: BALJSONBlockAccessList
}

const addrBytes = (a: string): Address => new Address(hexToBytes(a as `0x${string}`))
const slotBytes = (slot: string): Uint8Array => hexToBytes(slot as `0x${string}`)

/** Builds the EIP-7928 access list of a block from its per-transaction traces (canonical order). */
export async function buildBlockAccessList(traces: readonly BalTxInput[], parent: BalParentReader, opts: BuildBalOptions = {}): Promise<BuiltBal> {
  const bal = createBlockLevelAccessList()
  const first = opts.firstIndex ?? 1
  // Running values (value before the current tx) of every key the block changed so far.
  const balance = new Map<string, bigint>()
  const nonce = new Map<string, bigint>()
  const code = new Map<string, Uint8Array>()
  const storage = new Map<string, Uint8Array>()
  const getBalance = async (a: string): Promise<bigint> => balance.get(a) ?? (await parent.getAccount(addrBytes(a)))?.balance ?? 0n
  const getNonce = async (a: string): Promise<bigint> => nonce.get(a) ?? (await parent.getAccount(addrBytes(a)))?.nonce ?? 0n
  const getCode = async (a: string): Promise<Uint8Array> => {
    const c = code.get(a)
    if (c !== undefined) return c
    const acc = await parent.getAccount(addrBytes(a))
    if (acc === undefined || equalsBytes(acc.codeHash, KECCAK256_NULL)) return new Uint8Array()
    return parent.getCode(addrBytes(a))
  }
  const getSlot = async (a: string, s: string): Promise<Uint8Array> => storage.get(`${a}:${s}`) ?? unpadBytes(await parent.getStorage(addrBytes(a), slotBytes(s)))

  for (const [i, t] of traces.entries()) {
    const idx = first + i
    const touched = new Set<string>(opts.alwaysTouched?.map((a) => a.toLowerCase()) ?? [])
    for (const k of t.accessSet.reads) touched.add(k.slice(2, 44))
    for (const k of t.accessSet.writes) touched.add(k.slice(2, 44))
    for (const a of t.accessSet.credits.keys()) touched.add(a)
    for (const a of t.writeSet.accounts.keys()) touched.add(a)
    for (const a of touched) bal.addAddress(a as `0x${string}`)

    const written = new Set<StateKey>()
    const post = { balance: new Map<string, bigint>(), nonce: new Map<string, bigint>(), code: new Map<string, Uint8Array>(), storage: new Map<string, Uint8Array>() }
    for (const [a, w] of t.writeSet.accounts) {
      if (w.deleted === true) {
        post.balance.set(a, 0n)
        post.nonce.set(a, 0n)
        post.code.set(a, new Uint8Array())
      }
      if (w.balance !== undefined) post.balance.set(a, w.balance)
      if (w.nonce !== undefined) post.nonce.set(a, w.nonce)
      if (w.code !== undefined) post.code.set(a, w.code)
      for (const [s, v] of w.storage ?? []) post.storage.set(`${a}:${s}`, unpadBytes(v))
      // Slots of a deleted/cleared account written by the tx end empty.
      if (w.deleted === true) for (const k of t.accessSet.writes) if (k.startsWith(`s:${a}:`)) post.storage.set(`${a}:${k.slice(45)}`, new Uint8Array())
    }
    for (const [a, c] of t.writeSet.credits) post.balance.set(a, (post.balance.get(a) ?? (await getBalance(a))) + c)

    for (const [a, v] of post.balance) {
      if (v !== (await getBalance(a))) bal.addBalanceChange(a as `0x${string}`, v, idx)
    }
    for (const [a, v] of post.nonce) {
      if (v !== (await getNonce(a))) bal.addNonceChange(a as `0x${string}`, v, idx)
    }
    for (const [a, v] of post.code) {
      if (!equalsBytes(v, await getCode(a))) bal.addCodeChange(a as `0x${string}`, v, idx)
    }
    for (const [key, v] of post.storage) {
      const [a, s] = key.split(':') as [string, string]
      written.add(`s:${key}`)
      bal.addStorageWrite(a as `0x${string}`, slotBytes(s), v, idx, await getSlot(a, s))
    }
    for (const k of [...t.accessSet.reads, ...t.accessSet.writes]) {
      if (k[0] !== 's' || written.has(k)) continue
      bal.addStorageRead(k.slice(2, 44) as `0x${string}`, slotBytes(k.slice(45)))
    }
    // Advance the running values.
    for (const [a, v] of post.balance) balance.set(a, v)
    for (const [a, v] of post.nonce) nonce.set(a, v)
    for (const [a, v] of post.code) code.set(a, v)
    for (const [k, v] of post.storage) storage.set(k, v)
  }
  const rlp = bal.serialize()
  return { bal, rlp, hash: bal.hash(), json: bal.toJSON() }
}

export interface BalToAccessSetsOptions {
  /** Number of transactions in the block (indices first..first+txCount-1). */
  txCount: number
  /** Block access index of the first transaction (default 1). */
  firstIndex?: number
  /** Fee recipients whose balance increases are turned into credits (needs `parentBalances`). */
  feeRecipients?: readonly string[]
  /** Parent balances of the fee recipients (to turn their first change into a credit). */
  parentBalances?: ReadonlyMap<string, bigint>
}

/** Per-transaction access sets from a BAL, plus the reads the BAL cannot attribute to a tx. */
export interface BalAccessSets {
  accessSets: AccessSet[]
  /** Block-level storage reads and accounts touched without changes (EIP-7928 does not index reads). */
  unattributedReads: Set<StateKey>
}

/** Parses a BAL given as RLP bytes, JSON, or an ethereumjs object. */
export function parseBal(input: Uint8Array | BALJSONBlockAccessList | BlockLevelAccessList): BlockLevelAccessList {
  try {
    if (input instanceof BlockLevelAccessList) return input
    if (input instanceof Uint8Array) return createBlockLevelAccessListFromRLP(input)
    return createBlockLevelAccessListFromJSON(input)
  } catch (e) {
    throw new StateVerificationError('SV_BAD_BAL', 'malformed block access list', { cause: e })
  }
}

const slotKey = (a: string, slot: string): StateKey => `s:${a}:0x${slot.replace(/^0x/, '').padStart(64, '0')}`

/**
 * Access sets from a block access list. Writes are exact per transaction. EIP-7928 does not say
 * which transaction read what, so each transaction's reads are its own written keys (a
 * read-modify-write assumption) and the block's other reads come back as `unattributedReads`:
 * a hint, never trusted for correctness (the committer validates actual accesses).
 */
export function accessSetsFromBal(input: Uint8Array | BALJSONBlockAccessList | BlockLevelAccessList, opts: BalToAccessSetsOptions): BalAccessSets {
  const bal = parseBal(input)
  const first = opts.firstIndex ?? 1
  const sets: AccessSet[] = Array.from({ length: opts.txCount }, () => ({ reads: new Set<StateKey>(), writes: new Set<StateKey>(), credits: new Map<string, bigint>() }))
  const fees = new Set((opts.feeRecipients ?? []).map((a) => a.toLowerCase()))
  const unattributed = new Set<StateKey>()
  const at = (index: number): AccessSet | undefined => sets[index - first]
  const write = (index: number, key: StateKey): void => {
    const s = at(index)
    if (s === undefined) return
    s.writes.add(key)
    s.reads.add(key)
  }
  for (const [address, acc] of Object.entries(bal.accesses)) {
    const a = address.toLowerCase()
    let changed = false
    const balances = [...acc.balanceChanges.entries()].sort(([x], [y]) => x - y)
    let prev = opts.parentBalances?.get(a)
    for (const [index, hex] of balances) {
      changed = true
      const v = hex === '0x' ? 0n : BigInt(hex)
      const s = at(index)
      if (s !== undefined && fees.has(a) && prev !== undefined && v >= prev) s.credits.set(a, v - prev)
      else write(index, `b:${a}`)
      prev = v
    }
    for (const index of acc.nonceChanges.keys()) {
      changed = true
      write(index, `n:${a}`)
    }
    for (const [index] of acc.codeChanges) {
      changed = true
      write(index, `c:${a}`)
    }
    for (const [slot, changes] of Object.entries(acc.storageChanges)) {
      changed = true
      for (const [index] of changes) write(index, slotKey(a, slot))
    }
    for (const slot of acc.storageReads) unattributed.add(slotKey(a, slot))
    if (!changed) {
      unattributed.add(`b:${a}`)
      unattributed.add(`n:${a}`)
      unattributed.add(`c:${a}`)
    }
  }
  return { accessSets: sets, unattributedReads: unattributed }
}

/** Hex of a BAL hash (convenience for headers and reports). */
export function balHashHex(b: BuiltBal): string {
  return bytesToHex(b.hash)
}
