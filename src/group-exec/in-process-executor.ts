/** The in-process executor: runs packages on the calling thread (reference and small blocks). */
import { runPackage, type PackageSession } from './run-package.js'
import type { ExecuteOptions, Executor, GroupResult, WorkPackage } from './types.js'

/** Creates an executor that runs packages in this thread. */
export function createInProcessExecutor(id = 'in-process'): Executor & { executeIsolated(pkg: WorkPackage, options?: ExecuteOptions): Promise<GroupResult> } {
  const commons = new Map<string, unknown>()
  const sessions = new Map<string, PackageSession>()
  return {
    id,
    async execute(pkg, options = {}) {
      options.signal?.throwIfAborted()
      return runPackage(pkg, { executorId: id, commons, sessions, ...(options.fallback !== undefined ? { fallback: options.fallback } : {}) })
    },
    async executeIsolated(pkg, options = {}) {
      return runPackage(pkg, { executorId: id, commons, sessions, isolate: true, ...(options.fallback !== undefined ? { fallback: options.fallback } : {}) })
    },
  }
}
