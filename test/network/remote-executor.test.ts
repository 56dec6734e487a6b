/**
 * The shared executor suite against the remote executor: real libp2p nodes on 127.0.0.1 (a
 * committer dispatching, two groups of one sequencer and two voters executing), started and
 * stopped in the test.
 */
import { RemoteExecutor } from '../../network/remote-executor.js'
import { ExecutionService } from '../../network/roles/execution-service.js'
import { runExecutorSuite } from '../group-exec/executor-suite.js'
import { get, makeFixture, startNodes, stopAll } from './helpers.js'
import { TWO_GROUPS } from './roles-fixtures.js'

runExecutorSuite('remote (libp2p, 2 groups of 1 sequencer + 2 voters)', async () => {
  const fixture = await makeFixture(TWO_GROUPS)
  const nodes = await startNodes(fixture, TWO_GROUPS.map((s) => s.name))
  const services = TWO_GROUPS.filter((s) => s.role !== 'committer').map((s) => new ExecutionService({ node: get(nodes, s.name) }))
  for (const s of services) await s.start()
  const executor = new RemoteExecutor({ node: get(nodes, 'committer'), timeoutMs: 20_000 })
  await executor.start()
  return {
    executor,
    stop: async () => {
      await executor.stop()
      for (const s of services) await s.stop()
      await stopAll(nodes)
    },
  }
})
