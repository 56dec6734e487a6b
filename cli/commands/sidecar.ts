/**
 * `paradag sidecar`: follows an op-geth / op-reth compatible node, re-executes and verifies every
 * block, and serves the planning API, /metrics, /healthz and /readyz. Runs until SIGINT/SIGTERM;
 * with --to-block it stops after that block and exits non-zero if any block mismatched.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { createLogger } from '../../src/common/index.js'
import { type BlockReport, NODE_PROFILES, type NodeProfileName, SidecarError, createSidecar } from '../../sidecar/index.js'
import { EXIT, UsageError, action } from '../run-command.js'

interface SidecarCliOptions {
  rpc: string
  ws?: string
  fromBlock?: string
  toBlock?: string
  rollupConfig?: string
  rollupRpc?: string
  profile: string
  witness: string
  sequential?: boolean
  workers: string
  groups?: string
  forceParallel?: boolean
  apiHost: string
  apiPort: string
  api: boolean
  readyLag: string
  rpcTimeout: string
  json?: boolean
}

function int(v: string | undefined, name: string, min = 0): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}`)
  return n
}

function blockNum(v: string | undefined, name: string): bigint | undefined {
  if (v === undefined) return undefined
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) throw new UsageError(`${name} must be a block number`)
  return BigInt(v)
}

/** Registers `paradag sidecar`. */
export function registerSidecar(program: Command): void {
  program
    .command('sidecar')
    .description('follow an OP-stack node, re-execute and verify every block, serve the planning API and metrics')
    .requiredOption('--rpc <url>', 'node JSON-RPC over HTTP (op-geth / op-reth)')
    .option('--ws <url>', 'node WebSocket for newHeads (polling is used otherwise, and as a fallback)')
    .option('--from-block <n>', 'first block to verify (default: the head)')
    .option('--to-block <n>', 'stop after this block (default: follow forever)')
    .option('--rollup-config <file>', "the chain's rollup.json (op-node format)")
    .option('--rollup-rpc <url>', 'op-node RPC to fetch the rollup config from (optimism_rollupConfig)')
    .option('--profile <name>', `node profile: ${NODE_PROFILES.join(' | ')} (anvil: anvil --network optimism, deviations handled explicitly)`, 'op')
    .option('--witness <mode>', 'auto | executionWitness | proofs', 'auto')
    .option('--sequential', 'replay with the sequential reference executor instead of the parallel pipeline')
    .option('--workers <n>', 'worker threads for parallel replay (0 = in-process groups)', '0')
    .option('--groups <n>', 'groups to partition each block into')
    .option('--force-parallel', 'use groups even for small blocks (the pipeline otherwise replays them sequentially)')
    .option('--api-host <host>', 'planning API / metrics host', '127.0.0.1')
    .option('--api-port <port>', 'planning API / metrics port', '9548')
    .option('--no-api', 'do not serve the planning API and metrics')
    .option('--ready-lag <n>', '/readyz answers 200 only within this many blocks of the head', '8')
    .option('--rpc-timeout <ms>', 'per-request timeout', '30000')
    .option('--json', 'one JSON report per block on stdout')
    .action(
      action(async (o: SidecarCliOptions) => {
        if (!NODE_PROFILES.includes(o.profile as NodeProfileName)) throw new UsageError(`--profile must be one of ${NODE_PROFILES.join(', ')}`)
        if (!['auto', 'executionWitness', 'proofs'].includes(o.witness)) throw new UsageError('--witness must be auto, executionWitness or proofs')
        let rollupConfig: Record<string, unknown> | undefined
        if (o.rollupConfig !== undefined) {
          try {
            rollupConfig = JSON.parse(readFileSync(o.rollupConfig, 'utf8')) as Record<string, unknown>
          } catch (cause) {
            throw new SidecarError('SIDECAR_CONFIG_INVALID', `cannot read --rollup-config ${o.rollupConfig}: ${(cause as Error).message}`, { cause })
          }
        }
        let mismatches = 0
        const onReport = (r: BlockReport): void => {
          if (r.status !== 'verified') mismatches++
          if (o.json === true) process.stdout.write(`${JSON.stringify(r)}\n`)
          else if (r.status === 'verified') process.stdout.write(`block ${r.number} verified  txs=${r.txs} gas=${r.gasUsed} ${r.timingsMs.total.toFixed(0)}ms witness=${r.witness?.source}${r.parallel ? ` groups=${r.parallel.groups} speedup=${r.parallel.idealSpeedup.toFixed(2)}` : ''}${r.deviations.length > 0 ? ` deviations=${r.deviations.join(',')}` : ''}\n`)
          else if (r.status === 'mismatch') {
            process.stdout.write(`block ${r.number} MISMATCH (${r.hash}): ${r.diffs.length} difference(s)\n`)
            for (const d of r.diffs.slice(0, 20)) process.stdout.write(`  ${d.where}\n    node: ${d.node}\n    ours: ${d.ours}\n`)
          } else process.stdout.write(`block ${r.number} UNVERIFIABLE: ${r.error?.code}: ${r.error?.message}\n`)
        }
        const sidecar = createSidecar({
          rpcUrl: o.rpc,
          wsUrl: o.ws,
          fromBlock: blockNum(o.fromBlock, '--from-block'),
          toBlock: blockNum(o.toBlock, '--to-block'),
          profile: o.profile as NodeProfileName,
          rollupConfig,
          rollupRpcUrl: o.rollupRpc,
          witness: o.witness as 'auto',
          sequential: o.sequential === true,
          workers: int(o.workers, '--workers') ?? 0,
          ...(o.groups !== undefined ? { groups: int(o.groups, '--groups', 1) as number } : {}),
          forceParallel: o.forceParallel === true,
          api: o.api ? { host: o.apiHost, port: int(o.apiPort, '--api-port') as number } : false,
          readyLag: int(o.readyLag, '--ready-lag') as number,
          rpcTimeoutMs: int(o.rpcTimeout, '--rpc-timeout', 1) as number,
          logger: createLogger('paradag:sidecar'),
          onReport,
        })
        let stopping = false
        const stop = (): void => {
          if (stopping) return
          stopping = true
          process.stderr.write('paradag sidecar: shutting down\n')
          void sidecar.stop()
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        await sidecar.start()
        const a = sidecar.apiAddress()
        if (a !== undefined) process.stderr.write(`paradag sidecar: API, /metrics, /healthz, /readyz on http://${a.host}:${a.port}\n`)
        const to = blockNum(o.toBlock, '--to-block')
        if (to !== undefined) {
          await sidecar.waitFor(to)
          await sidecar.stop()
        } else {
          await new Promise<void>((resolve) => {
            const t = setInterval(() => {
              if (stopping) {
                clearInterval(t)
                resolve()
              }
            }, 200)
          })
          await sidecar.stop()
        }
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        return mismatches > 0 ? EXIT.mismatch : stopping ? EXIT.ok : EXIT.ok
      }),
    )
}
