/**
 * Runs one node from its config file: loads the identity and membership, starts the libp2p node
 * and the service of its role. Under a testnet orchestrator (a parent process with an IPC
 * channel) it reports events and answers control messages; the construction node then builds a
 * block only when told to, so the orchestrator can measure each block on its own. Standalone
 * (`paradag node` on a real host) the construction node waits for the committer and builds the
 * whole chain.
 */
import '../polyfill.js'
import { createLogger } from '../../src/common/index.js'
import type { ParadagError } from '../../src/common/index.js'
import { openChainStore } from '../chain-store.js'
import type { ChainStore } from '../chain-store.js'
import { loadIdentity } from '../identity.js'
import { loadMembership } from '../membership.js'
import { createParadagNode } from '../node.js'
import type { ParadagNode } from '../node.js'
import { CommitterService } from '../roles/committer.js'
import { ConstructionService } from '../roles/construction.js'
import { RoleError } from '../roles/errors.js'
import { ExecutionService } from '../roles/execution-service.js'
import { buildTestChain } from './chain.js'
import type { NodeConfig } from './config.js'

/** Control messages from an orchestrator. */
export type ControlMessage = { type: 'build' } | { type: 'stats'; id: number } | { type: 'stop' }

/** Messages to an orchestrator. */
export type NodeMessage =
  | { type: 'ready'; name: string; role: string; addrs: string[] }
  | { type: 'event'; name: string; event: unknown }
  | { type: 'stats'; name: string; id: number; stats: unknown }
  | { type: 'built'; name: string; blockNumber: string }
  | { type: 'error'; name: string; code: string; message: string }

export interface RunNodeHooks {
  /** Sends a message to the orchestrator (present when run under one). */
  send?: (m: NodeMessage) => void
}

/** A started node with its service. */
export interface RunningNode {
  node: ParadagNode
  /** Handles a control message (orchestrator). */
  control(m: ControlMessage): Promise<void>
  /** Stops the service, the node and the store. */
  stop(): Promise<void>
  /** Standalone construction: resolves when the chain is built. */
  done: Promise<void>
}

/** Starts the node of `config`. */
export async function runNode(config: NodeConfig, hooks: RunNodeHooks = {}): Promise<RunningNode> {
  const log = createLogger(`paradag:node:${config.role}`, config.name)
  const identity = await loadIdentity(config.keyFile)
  const membership = await loadMembership(config.membership)
  const me = membership.byName(config.name)
  if (me === undefined || me.peerId.toString() !== identity.peerId.toString()) {
    throw new RoleError('ROLE_BAD_CONFIG', `${config.name} is not the member whose key is in ${config.keyFile}`)
  }
  if (me.role !== config.role) throw new RoleError('ROLE_BAD_CONFIG', `${config.name} is a ${me.role} in the membership, not a ${config.role}`)
  const node = await createParadagNode({ identity, membership, listen: config.listen })
  await node.start()
  const send = hooks.send
  const emit = (event: unknown): void => send?.({ type: 'event', name: config.name, event })
  let store: ChainStore | undefined
  let stopService: () => Promise<void> = async () => undefined
  let done: Promise<void> = Promise.resolve()
  let construction: ConstructionService | undefined
  const abort = new AbortController()
  try {
    switch (config.role) {
      case 'sequencer':
      case 'voter': {
        const s = new ExecutionService({
          node,
          ...(config.byzantine !== undefined ? { byzantine: config.byzantine } : {}),
          ...(config.delayMs !== undefined ? { delayMs: config.delayMs } : {}),
          onEvent: emit,
        })
        await s.start()
        stopService = () => s.stop()
        break
      }
      case 'committer': {
        const chain = await buildTestChain(config.chain!)
        store = await openChainStore({ path: config.dataDir! })
        const s = new CommitterService({ node, chain, store, ...(config.groupTimeoutMs !== undefined ? { groupTimeoutMs: config.groupTimeoutMs } : {}), onEvent: emit })
        await s.start()
        stopService = () => s.stop()
        break
      }
      case 'construction': {
        const chain = await buildTestChain(config.chain!)
        const committer = config.committer ?? membership.withRole('committer')[0]?.name
        if (committer === undefined) throw new RoleError('ROLE_BAD_CONFIG', 'the membership has no committer')
        construction = new ConstructionService({
          node,
          chain,
          committer,
          ...(config.commitTimeoutMs !== undefined ? { commitTimeoutMs: config.commitTimeoutMs } : {}),
          onEvent: emit,
        })
        await construction.start()
        const c = construction
        stopService = async () => {
          abort.abort()
          await c.stop()
        }
        if (send === undefined) {
          done = (async () => {
            await waitForPeers(node, membership.members.filter((m) => m.name !== config.name).map((m) => m.name), abort.signal)
            log('all members reachable; building %d blocks', chain.blocks.length)
            await c.run(abort.signal)
          })()
        }
        break
      }
    }
  } catch (err) {
    await node.stop()
    await store?.close()
    throw err
  }
  send?.({ type: 'ready', name: config.name, role: config.role, addrs: node.getMultiaddrs().map(String) })
  let stopping: Promise<void> | undefined
  return {
    node,
    done,
    async control(m) {
      if (m.type === 'stats') send?.({ type: 'stats', name: config.name, id: m.id, stats: node.stats() })
      else if (m.type === 'build') {
        if (construction === undefined) throw new RoleError('ROLE_UNEXPECTED', `${config.name} does not build blocks`)
        const n = await construction.buildNext(abort.signal)
        send?.({ type: 'built', name: config.name, blockNumber: n.blockNumber })
      }
    },
    stop() {
      stopping ??= (async () => {
        await stopService().catch(() => undefined)
        await node.stop()
        await store?.close()
      })()
      return stopping
    },
  }
}

/** Pings every member until all answer (standalone start-up). */
async function waitForPeers(node: ParadagNode, names: string[], signal: AbortSignal): Promise<void> {
  const pending = new Set(names)
  while (pending.size > 0) {
    signal.throwIfAborted()
    for (const n of [...pending]) {
      try {
        await node.ping(n, { timeoutMs: 2000, signal })
        pending.delete(n)
      } catch (err) {
        if (signal.aborted) throw err
        createLogger('paradag:node').trace('waiting for %s: %s', n, (err as ParadagError).code)
      }
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 500))
  }
}
