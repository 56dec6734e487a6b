/**
 * Executing one work package: the group's transactions in canonical order over a
 * `MapStateManager` holding the package's slice (keys outside it are read from the fallback and
 * reported as misses), traced so that every result carries its actual access set and write set.
 * With `isolate`, each transaction runs against the unchanged slice (speculative prediction).
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { Account, hexToBytes } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { MapStateManager, snapshotFromJson, type StateReader } from '../state/index.js'
import {
  TracingStateManager,
  accessSetToJson,
  logToJson,
  traceTransaction,
  writeSetToJson,
  type TxTrace,
} from '../state-verification/index.js'
import { rulesFor } from './chain-rules.js'
import { decodeUnfrozen, pinSigner, signerOfPublicKey } from '../crypto/index.js'
import { envFromJson } from './env.js'
import { GroupExecError } from './errors.js'
import { ParadagError } from '../common/errors.js'
import type { GroupResult, TxResult, WorkPackage } from './types.js'

export interface RunPackageOptions {
  executorId: string
  fallback?: StateReader
  /** Run every transaction against the unchanged slice (speculative prediction). */
  isolate?: boolean
  /** Cache of per-chain objects (Commons) so a warm executor does not rebuild them per package. */
  commons?: Map<string, unknown>
  /** Open sessions of this executor (see `WorkPackage.session`). */
  sessions?: Map<string, PackageSession>
  /** Transactions already decoded from these exact bytes (0x-hex), taken instead of decoding again. */
  decoded?: ReadonlyMap<string, TypedTransaction>
}


/** Turns a trace into the wire/JSON form of a result. */
export function traceToResult(index: number, trace: TxTrace, misses: string[]): TxResult {
  const base = { index, access: accessSetToJson(trace.accessSet), writes: writeSetToJson(trace.writeSet), misses }
  if (trace.outcome.included) {
    const u = trace.sender
    return {
      ...base,
      ...(u !== undefined && u.codeless && u.evmFetches <= 1 ? { senderPre: `0x${u.pre.toString(16)}` } : {}),
      status: 'included',
      receipt: {
        txType: -1,
        status: trace.outcome.status,
        gasUsed: trace.outcome.gasUsed.toString(),
        logs: trace.outcome.logs.map(logToJson),
      },
    }
  }
  return { ...base, status: 'excluded', exclusion: { code: trace.outcome.reason, reason: trace.outcome.message } }
}

/** Exclusion code of a result whose run could not read its state (never committed as an exclusion). */
export const STATE_UNAVAILABLE = 'EXEC_STATE_UNAVAILABLE'

/** The state a multi-part group keeps between its packages. */
export interface PackageSession {
  /** The part this session expects next. */
  next: number
  inner: MapStateManager
  state: TracingStateManager
  vm: VM
  onMiss: { sink: string[] }
}

/** Executes a package and returns its group result. */
export async function runPackage(pkg: WorkPackage, opts: RunPackageOptions): Promise<GroupResult> {
  const startedAt = Date.now()
  const rules = rulesFor(pkg.chain, envFromJson(pkg.env), opts.commons)
  const { common, block } = rules
  const session = pkg.session === undefined ? undefined : opts.sessions?.get(pkg.session.id)
  const part = pkg.session?.part ?? 0
  if ((session?.next ?? 0) !== part) {
    // A later part without the state its earlier parts left (or out of order) would run on the
    // wrong state: refuse it.
    throw new GroupExecError('EXEC_SESSION_ORDER', `package ${pkg.id}: part ${part} of session ${pkg.session?.id ?? ''} does not follow ${session === undefined ? 'anything this executor ran' : `part ${session.next - 1}`}`)
  }
  let sess: PackageSession
  if (session !== undefined) {
    sess = session
    sess.inner.loadMissing(snapshotFromJson(pkg.slice))
  } else {
    const missSink = { sink: [] as string[] }
    const inner = new MapStateManager({
      snapshot: snapshotFromJson(pkg.slice),
      ...(opts.fallback !== undefined ? { fallback: opts.fallback } : {}),
      onMiss: (kind, address, slot) => {
        missSink.sink.push(kind === 'storage' ? `s:${address}:${slot ?? ''}` : `${kind === 'code' ? 'c' : 'a'}:${address}`)
      },
      keccak256: common.customCrypto.keccak256!,
    })
    const state = new TracingStateManager(inner, { feeRecipients: pkg.feeRecipients })
    sess = { next: 0, inner, state, vm: await rules.createVM(state), onMiss: missSink }
    if (pkg.session !== undefined && !pkg.session.last) opts.sessions?.set(pkg.session.id, sess)
  }
  sess.next = part + 1
  if (pkg.session?.last === true) opts.sessions?.delete(pkg.session.id)
  const vm = sess.vm
  const results: TxResult[] = []
  for (const ptx of pkg.txs) {
    let tx = opts.decoded?.get(ptx.raw)
    if (tx === undefined) {
      try {
        tx = decodeUnfrozen(hexToBytes(ptx.raw as `0x${string}`), common)
      } catch (err) {
        throw new GroupExecError('EXEC_BAD_PACKAGE', `package ${pkg.id}: transaction ${ptx.index} cannot be decoded`, { cause: err })
      }
      // Recovered once by the constructor: skip ecrecover here (the signature was checked there).
      if (ptx.senderPubKey !== undefined) pinSigner(tx, signerOfPublicKey(hexToBytes(ptx.senderPubKey as `0x${string}`), common))
      else Object.freeze(tx)
    }
    if (ptx.assumeNonce === true && opts.isolate !== true) {
      // Untraced setup below the tracer (it starts a fresh per-transaction view at the run).
      // An account the view lacks (created by the sender's earlier transactions elsewhere) is
      // created with that nonce: the validator compares the assumed nonce and every other field
      // the transaction reads with sequential order all the same.
      const sender = tx.getSenderAddress()
      const acc = (await sess.inner.getAccount(sender)) ?? new Account()
      if (acc.nonce !== tx.nonce) {
        acc.nonce = tx.nonce
        await sess.inner.putAccount(sender, acc)
      }
    }
    sess.onMiss.sink = []
    const runOpts = { block, ...(rules.runTx !== undefined ? { runTx: rules.runTx } : {}) }
    let trace: TxTrace
    let adjusted = false
    if (opts.isolate === true) {
      // A speculative run against the parent: a sender's later transaction in the block would only
      // fail on its nonce there, and predict nothing. Run it with the nonce it expects instead
      // (untraced setup, rolled back with the run); such a result is a prediction only.
      await sess.state.checkpoint()
      try {
        const sender = tx.getSenderAddress()
        const acc = await sess.inner.getAccount(sender)
        if (acc !== undefined && acc.nonce < tx.nonce) {
          acc.nonce = tx.nonce
          await sess.inner.putAccount(sender, acc)
          adjusted = true
        }
        trace = await traceTransaction(vm, tx, runOpts)
      } catch (err) {
        // A speculative run that cannot read its state predicts nothing; the block goes on.
        if (!isStateError(err)) throw err
        trace = emptyTrace('INVALID_TX', `prediction failed: ${err.message}`)
        adjusted = true
      } finally {
        await sess.state.revert()
      }
    } else {
      try {
        trace = await traceTransaction(vm, tx, { ...runOpts, watchSender: true })
      } catch (err) {
        // The group's view needed state the parent cannot provide here (a view that differs from
        // sequential order can take another path): report it; the committer re-runs the tx.
        if (!isStateError(err)) throw err
        trace = emptyTrace(STATE_UNAVAILABLE, `${err.code}: ${err.message}`)
        adjusted = true
      }
    }
    const r = traceToResult(ptx.index, trace, sess.onMiss.sink)
    if (r.receipt !== undefined) r.receipt.txType = tx.type
    if (adjusted) r.adjusted = true
    results.push(r)
  }
  return { packageId: pkg.id, executorId: opts.executorId, startedAt, finishedAt: Date.now(), results }
}

/** A state read failed (missing witness node, failed fetch): not a property of the transaction. */
function isStateError(err: unknown): err is ParadagError {
  return err instanceof ParadagError && /^(STATE|EXEC|NETWORK)_/.test(err.code)
}

/** A trace that touched nothing and was not included, for a run that could not complete. */
function emptyTrace(reason: string, message: string): TxTrace {
  return {
    accessSet: { reads: new Set(), writes: new Set(), credits: new Map() },
    writeSet: { accounts: new Map(), credits: new Map() },
    outcome: { included: false, reason: reason as never, message },
  }
}
