/** Entry point of an execution worker thread (compiled JS, loaded by WorkerExecutor). */
import { threadId } from 'node:worker_threads'
import { BinarySnapshotReader, type StateReader } from '../state/index.js'
import { runPackage, type PackageSession } from './run-package.js'
import { serveTasks } from './worker-side.js'
import type { ExecTask, PiecesRootTask, ReceiptsPieceTask, RecoverTask, TxRootTask } from './worker-executor.js'
import { orderedTrieRoot, piecesRoot, receiptsPiece } from '../batch-committer/block.js'
import type { TypedTransaction } from '@ethereumjs/tx'
import { rulesFor } from './chain-rules.js'
import { envFromJson } from './env.js'
import { decodeUnfrozen, pinSigner, recoverSigner, type RecoveredSigner } from '../crypto/index.js'
import { toHex } from '../common/index.js'

const commons = new Map<string, unknown>()
const sessions = new Map<string, PackageSession>()
// Parent-state replicas by id; only the newest few are kept (warm across blocks).
const parents = new Map<string, StateReader>()
// Transactions of the newest block this worker decoded to recover their senders, by their bytes
// as 0x-hex: its packages of that block (about half of their transactions with two workers, as
// groups do not follow recovery chunks) take them from here instead of decoding again.
let decodedBlock = ''
let decoded = new Map<string, TypedTransaction>()
function decodeCache(chain: RecoverTask['recover']['chain'], env: RecoverTask['recover']['env']): Map<string, TypedTransaction> {
  const id = `${chain.kind}:${env.chainId}:${env.number}:${env.parentHash}`
  if (id !== decodedBlock) {
    decodedBlock = id
    decoded = new Map()
  }
  return decoded
}
serveTasks(
  async (task, fallback) => {
    if ((task as RecoverTask).recover !== undefined) return recoverSenders((task as RecoverTask).recover)
    const piece = (task as ReceiptsPieceTask).receiptsPiece
    if (piece !== undefined) return receiptsPiece(piece.receipts, piece.cumulativeBefore, rulesFor(piece.chain, envFromJson(piece.env), commons).common)
    const root = (task as PiecesRootTask).piecesRoot
    if (root !== undefined) return piecesRoot(root.pieces, rulesFor(root.chain, envFromJson(root.env), commons).common)
    const txRoot = (task as TxRootTask).txRoot
    if (txRoot !== undefined) return orderedTrieRoot(txRoot.raws, rulesFor(txRoot.chain, envFromJson(txRoot.env), commons).common)
    const t = task as ExecTask
    const replica = t.parentId === undefined ? undefined : parents.get(t.parentId)
    return runPackage(t.pkg, { executorId: `worker-${threadId}`, commons, sessions, fallback: replica ?? fallback, isolate: t.isolate, decoded: decodeCache(t.pkg.chain, t.pkg.env) })
  },
  (parentId, bytes) => {
    // Read in place: nothing of the replica is converted until a package reads it.
    parents.set(parentId, new BinarySnapshotReader(bytes))
    while (parents.size > 2) parents.delete(parents.keys().next().value as string)
  },
)

/** The signers of `raws` (null where decoding or recovery fails). */
function recoverSenders(r: RecoverTask['recover']): (RecoveredSigner | null)[] {
  const { common } = rulesFor(r.chain, envFromJson(r.env), commons)
  const cache = decodeCache(r.chain, r.env)
  return r.raws.map((raw) => {
    try {
      const tx = decodeUnfrozen(raw, common)
      if (!tx.isSigned()) return null
      const signer = recoverSigner(tx, common)
      cache.set(toHex(raw), pinSigner(tx, signer))
      return signer
    } catch {
      return null
    }
  })
}
