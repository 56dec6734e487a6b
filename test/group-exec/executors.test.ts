/** The shared executor suite against the in-process and worker-thread executors. */
import { WorkerExecutor, createInProcessExecutor } from '../../src/group-exec/index.js'
import { runExecutorSuite } from './executor-suite.js'

runExecutorSuite('in-process', async () => ({ executor: createInProcessExecutor('suite') }))

runExecutorSuite('worker threads', async () => {
  const executor = new WorkerExecutor({ workers: 2, id: 'suite-workers' })
  await executor.start()
  return { executor, stop: () => executor.stop() }
})
