/**
 * The committer's chain state: a Merkle parent state that records what a block wrote (so the
 * block's state diff can be persisted and sent to construction nodes), the diff in StateKey
 * form, applying a diff to any state manager (restart replay, construction replicas), and the
 * stored form of a committed block.
 *
 * Diff values: `b:addr` and `n:addr` are the 0x balance and nonce (null: the account was
 * deleted), `c:addr` the code, `s:addr:slot` the slot value (null: zero).
 */
import type { StateManagerInterface } from '@ethereumjs/common'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import type { BlockOutcome } from '../../src/pipeline/index.js'
import { toAddress } from '../../src/state/index.js'
import type { JsonValue, StoredBlock } from '../chain-store.js'

/** Addresses and slots written since the last `take()`. */
export interface WriteRecorder {
  take(): { accounts: Set<string>; code: Set<string>; slots: Map<string, Set<string>> }
}

/**
 * Wraps a state manager so that every write (account, code, storage, deletion) is recorded;
 * reads and everything else go straight through.
 */
export function recordWrites<S extends StateManagerInterface>(sm: S): { state: S; recorder: WriteRecorder } {
  let accounts = new Set<string>()
  let code = new Set<string>()
  let slots = new Map<string, Set<string>>()
  const addr = (a: Address): string => a.toString().toLowerCase()
  const slot = (a: Address, k: Uint8Array): void => {
    const s = addr(a)
    let set = slots.get(s)
    if (set === undefined) slots.set(s, (set = new Set()))
    set.add(bytesToHex(k.length === 32 ? k : padLeft(k)))
  }
  const hooks: Partial<Record<keyof StateManagerInterface, (...args: never[]) => void>> = {
    putAccount: (a: Address) => accounts.add(addr(a)),
    deleteAccount: (a: Address) => accounts.add(addr(a)),
    modifyAccountFields: (a: Address) => accounts.add(addr(a)),
    putCode: (a: Address) => {
      accounts.add(addr(a))
      code.add(addr(a))
    },
    putStorage: (a: Address, k: Uint8Array) => slot(a, k),
    clearStorage: (a: Address) => accounts.add(addr(a)),
  }
  const state = new Proxy(sm, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function') return v
      const hook = hooks[prop as keyof StateManagerInterface] as ((...a: unknown[]) => void) | undefined
      if (hook === undefined) return (v as (...a: unknown[]) => unknown).bind(target)
      return (...args: unknown[]) => {
        hook(...args)
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {
    state,
    recorder: {
      take() {
        const out = { accounts, code, slots }
        accounts = new Set()
        code = new Set()
        slots = new Map()
        return out
      },
    },
  }
}

function padLeft(k: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  out.set(k.subarray(Math.max(0, k.length - 32)), 32 - Math.min(32, k.length))
  return out
}

/** The state diff of what `recorder` saw written, read back from `sm` (sorted keys). */
export async function stateDiff(sm: StateManagerInterface, recorder: WriteRecorder): Promise<Record<string, string | null>> {
  const w = recorder.take()
  const out: Record<string, string | null> = {}
  const touched = new Set([...w.accounts, ...w.code, ...w.slots.keys()])
  for (const a of [...touched].sort()) {
    const acc = await sm.getAccount(toAddress(a))
    if (w.accounts.has(a) || w.code.has(a)) {
      out[`b:${a}`] = acc === undefined ? null : `0x${acc.balance.toString(16)}`
      out[`n:${a}`] = acc === undefined ? null : `0x${acc.nonce.toString(16)}`
    }
    if (w.code.has(a)) out[`c:${a}`] = acc === undefined ? null : bytesToHex(await sm.getCode(toAddress(a)))
    for (const s of [...(w.slots.get(a) ?? [])].sort()) {
      const v = acc === undefined ? new Uint8Array(0) : await sm.getStorage(toAddress(a), hexToBytes(s as `0x${string}`))
      out[`s:${a}:${s}`] = v.length === 0 ? null : bytesToHex(v)
    }
  }
  return out
}

/** Applies a state diff to a state manager (inside the caller's checkpoint, if any). */
export async function applyStateDiff(sm: StateManagerInterface, diff: Readonly<Record<string, string | null>>): Promise<void> {
  const deleted = new Set<string>()
  const fields = new Map<string, { balance?: bigint; nonce?: bigint }>()
  for (const [k, v] of Object.entries(diff)) {
    const a = k.slice(2, 44)
    if (k[0] === 'b' || k[0] === 'n') {
      if (v === null) deleted.add(a)
      else {
        const f = fields.get(a) ?? {}
        if (k[0] === 'b') f.balance = BigInt(v)
        else f.nonce = BigInt(v)
        fields.set(a, f)
      }
    }
  }
  for (const a of deleted) await sm.deleteAccount(toAddress(a))
  for (const [a, f] of fields) await sm.modifyAccountFields(toAddress(a), f)
  for (const [k, v] of Object.entries(diff)) {
    const a = k.slice(2, 44)
    if (deleted.has(a)) continue
    if (k[0] === 'c') await sm.putCode(toAddress(a), v === null ? new Uint8Array(0) : hexToBytes(v as `0x${string}`))
    else if (k[0] === 's') await sm.putStorage(toAddress(a), hexToBytes(k.slice(45) as `0x${string}`), v === null ? new Uint8Array(0) : hexToBytes(v as `0x${string}`))
  }
}

/** The stored form of a committed block (header facts, receipts, diff, and anything in `meta`). */
export function storedBlock(
  env: { number: bigint; parentHash: string; timestamp: bigint; coinbase: string; gasLimit: bigint },
  outcome: BlockOutcome,
  stateDiff: Record<string, string | null>,
  meta?: JsonValue,
): StoredBlock {
  const b: StoredBlock = {
    number: env.number,
    hash: bytesToHex(outcome.blockHash),
    parentHash: env.parentHash,
    header: {
      number: env.number.toString(),
      parentHash: env.parentHash,
      timestamp: env.timestamp.toString(),
      coinbase: env.coinbase,
      gasLimit: env.gasLimit.toString(),
      gasUsed: outcome.gasUsed.toString(),
      stateRoot: bytesToHex(outcome.stateRoot),
      receiptsRoot: bytesToHex(outcome.receiptsRoot),
      transactionsRoot: bytesToHex(outcome.transactionsRoot),
      logsBloom: bytesToHex(outcome.logsBloom),
    },
    receipts: outcome.included.map((i) => ({
      index: i.index,
      type: i.receipt.txType,
      status: i.receipt.status,
      gasUsed: i.receipt.gasUsed.toString(),
      cumulativeGasUsed: i.receipt.cumulativeGasUsed.toString(),
      logs: i.receipt.logs.length,
    })),
    stateDiff,
  }
  if (meta !== undefined) b.meta = meta
  return b
}
