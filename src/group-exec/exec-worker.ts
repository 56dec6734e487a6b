/** Entry point of an execution worker thread (compiled JS, loaded by WorkerExecutor). */
import { threadId } from 'node:worker_threads'
import { snapshotFromJson, snapshotReader, type StateReader, type StateSnapshotJson } from '../state/index.js'
import { runPackage, type PackageSession } from './run-package.js'
import { serveTasks } from './worker-side.js'
import type { ExecTask } from './worker-executor.js'

const commons = new Map<string, unknown>()
const sessions = new Map<string, PackageSession>()
// Parent-state replicas by id; only the newest few are kept (warm across blocks).
const parents = new Map<string, StateReader>()
serveTasks(
  async (task, fallback) => {
    const t = task as ExecTask
    const replica = t.parentId === undefined ? undefined : parents.get(t.parentId)
    return runPackage(t.pkg, { executorId: `worker-${threadId}`, commons, sessions, fallback: replica ?? fallback, isolate: t.isolate })
  },
  (parentId, spec) => {
    parents.set(parentId, snapshotReader(snapshotFromJson(spec as StateSnapshotJson)))
    while (parents.size > 2) parents.delete(parents.keys().next().value as string)
  },
)
