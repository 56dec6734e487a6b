/** `paradag node --role <role> --config <file>`: runs one node of a deployment (thin). */
import type { Command } from 'commander'
import { ROLES } from '../../network/index.js'
import { loadNodeConfig } from '../../network/testnet/config.js'
import { runNode } from '../../network/testnet/node-runtime.js'
import type { ControlMessage, NodeMessage } from '../../network/testnet/node-runtime.js'
import { serializeError } from '../../src/common/index.js'
import { action, UsageError } from '../run-command.js'

interface NodeOpts {
  role: string
  config: string
}

/** Registers `node` on the program. */
export function registerNode(program: Command): void {
  program
    .command('node')
    .description('run one paradag node (construction, sequencer, voter or committer) from a config file')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption('--config <file>', 'node config (JSON; see README "Three machines")')
    .action(
      action(async (o: NodeOpts) => {
        if (!(ROLES as readonly string[]).includes(o.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
        const config = await loadNodeConfig(o.config)
        if (config.role !== o.role) throw new UsageError(`${o.config} configures a ${config.role}, not a ${o.role}`)
        const ipc = typeof process.send === 'function'
        const send = ipc ? (m: NodeMessage): void => void process.send?.(m) : undefined
        const running = await runNode(config, send === undefined ? {} : { send })
        if (!ipc) process.stdout.write(`${config.name} (${config.role}) listening on ${running.node.getMultiaddrs().map(String).join(', ')}\n`)
        let exiting = false
        const shutdown = async (code: number): Promise<void> => {
          if (exiting) return
          exiting = true
          await running.stop()
          process.exit(code)
        }
        process.on('SIGINT', () => void shutdown(130))
        process.on('SIGTERM', () => void shutdown(143))
        if (ipc) {
          // The orchestrator went away (even by SIGKILL): never outlive it.
          process.on('disconnect', () => void shutdown(0))
          process.on('message', (m: ControlMessage) => {
            if (m.type === 'stop') {
              void shutdown(0)
              return
            }
            running.control(m).catch((err: unknown) => {
              const e = serializeError(err)
              send?.({ type: 'error', name: config.name, code: e.code, message: e.message })
            })
          })
          await new Promise<never>(() => undefined)
        }
        await running.done
        if (config.role === 'construction') {
          process.stdout.write(`${config.name}: every block of the chain is committed\n`)
          await shutdown(0)
        }
        await new Promise<never>(() => undefined)
      }),
    )
}
