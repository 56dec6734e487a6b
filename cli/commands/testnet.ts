/** `paradag testnet`: a local multi-process testnet with fault injection and a report (thin). */
import type { Command } from 'commander'
import { BYZANTINE_MODES } from '../../network/roles/execution-service.js'
import type { ByzantineMode } from '../../network/roles/execution-service.js'
import { runTestnet } from '../../network/testnet/orchestrator.js'
import type { ProgressEvent, TestnetOptions, TestnetReport } from '../../network/testnet/orchestrator.js'
import { formatTable, toJson } from '../output.js'
import { action, EXIT, UsageError } from '../run-command.js'

interface TestnetOpts {
  construction: string
  groups: string
  voters: string
  blocks: string
  txs: string
  workload: string
  seed: string
  accounts?: string
  byzantine: string[]
  kill: string[]
  delay: string[]
  groupTimeout: string
  json?: boolean
  out?: string
  references: boolean
}

const int = (v: string, name: string, min = 0): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`)
  return n
}
const collect = (v: string, prev: string[]): string[] => [...prev, v]

/** Parses the CLI options into testnet options. */
export function testnetOptions(o: TestnetOpts): TestnetOptions {
  const byzantine: Record<string, ByzantineMode> = {}
  for (const b of o.byzantine) {
    const [node, mode] = b.split(':')
    if (node === undefined || mode === undefined || !(BYZANTINE_MODES as readonly string[]).includes(mode)) {
      throw new UsageError(`--byzantine takes <node>:<${BYZANTINE_MODES.join('|')}>, got ${b}`)
    }
    byzantine[node] = mode as ByzantineMode
  }
  const kills = o.kill.map((k) => {
    const [node, block] = k.split('@')
    if (node === undefined || block === undefined) throw new UsageError(`--kill takes <node>@<block>, got ${k}`)
    return { node, block: int(block, 'kill block', 1) }
  })
  const delays: Record<string, number> = {}
  for (const d of o.delay) {
    const [node, ms] = d.split(':')
    if (node === undefined || ms === undefined) throw new UsageError(`--delay takes <node>:<ms>, got ${d}`)
    delays[node] = int(ms, 'delay ms')
  }
  const t: TestnetOptions = {
    construction: int(o.construction, 'construction', 1),
    groups: int(o.groups, 'groups', 1),
    voters: int(o.voters, 'voters'),
    blocks: int(o.blocks, 'blocks', 1),
    txs: int(o.txs, 'txs', 1),
    workload: o.workload,
    seed: int(o.seed, 'seed'),
    byzantine,
    kills,
    delays,
    groupTimeoutMs: int(o.groupTimeout, 'group-timeout', 100),
    references: o.references,
  }
  if (o.accounts !== undefined) t.accounts = int(o.accounts, 'accounts', 2)
  if (o.out !== undefined) t.outDir = o.out
  return t
}

/** Prints the per-block table and the figures. */
export function printReport(r: TestnetReport, out: (s: string) => void): void {
  const yn = (b: boolean | null): string => (b === null ? '-' : b ? 'yes' : 'NO')
  out(
    formatTable(
      ['block', 'txs', 'incl', 'excl', 'groups', 'votes', 'reassign', 'local', 'faults', 'root = sequential', 'network ms', 'local workers ms', 'ratio', 'msgs', 'KiB', 'last result→commit ms'],
      r.blocks.map((b) => [
        b.blockNumber,
        b.txs,
        b.included,
        b.excluded,
        b.packages,
        b.votes,
        b.reassignments,
        b.localExecutions,
        b.faults.filter((f) => f.kind !== 'timeout').length + (b.faults.some((f) => f.kind === 'timeout') ? `+${b.faults.filter((f) => f.kind === 'timeout').length}t` : ''),
        yn(b.rootMatches),
        b.networkMs,
        b.localWorkerMs,
        b.overheadRatio === null ? null : `${b.overheadRatio.toFixed(2)}x`,
        b.messages,
        Math.round(b.bytes / 1024),
        b.lastResultToCommitMs,
      ]),
    ),
  )
  if (r.faults.length > 0) {
    const kinds = new Map<string, number>()
    for (const f of r.faults) kinds.set(`${f.kind} by ${f.node}`, (kinds.get(`${f.kind} by ${f.node}`) ?? 0) + 1)
    out(`\nfaults detected: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}`)
  }
  if (r.killed.length > 0) out(`killed (kill -9): ${r.killed.join(', ')}${r.restarted.length > 0 ? `; restarted: ${r.restarted.join(', ')}` : ''}`)
  out(`state roots equal to sequential execution: ${yn(r.allRootsMatch)}`)
}

/** Registers `testnet` on the program. */
export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('run a local testnet: one process per node on 127.0.0.1, blocks with fault injection, a report')
    .option('--construction <n>', 'construction nodes (1)', '1')
    .option('--groups <k>', 'execution groups', '2')
    .option('--voters <v>', 'voters per group', '2')
    .option('--blocks <b>', 'blocks', '3')
    .option('--txs <n>', 'transactions per block', '200')
    .option('--workload <w>', 'transfers | erc20 | uniswap | mixed', 'mixed')
    .option('--seed <n>', 'workload seed', '1')
    .option('--accounts <n>', 'workload accounts')
    .option('--byzantine <node:mode>', `Byzantine execution node (${BYZANTINE_MODES.join('|')}); repeatable`, collect, [])
    .option('--kill <node@block>', 'kill -9 a node mid-block (a committer is restarted); repeatable', collect, [])
    .option('--delay <node:ms>', 'delay a node’s answers; repeatable', collect, [])
    .option('--group-timeout <ms>', 'time a group has to reach a quorum', '8000')
    .option('--no-references', 'skip the sequential reference and the local worker baseline')
    .option('--json', 'print the report as JSON')
    .option('--out <dir>', 'write report.json, block-N.svg timelines, keys and logs here')
    .action(
      action(async (o: TestnetOpts) => {
        const opts = testnetOptions(o)
        const ac = new AbortController()
        const onSignal = (): void => ac.abort()
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
        opts.signal = ac.signal
        const err = (s: string): void => void process.stderr.write(`${s}\n`)
        opts.onProgress = (e: ProgressEvent) => {
          if (e.type === 'starting') err(`starting ${e.nodes} node processes (${e.dir})`)
          else if (e.type === 'ready') err('all nodes up')
          else if (e.type === 'block') err(`block ${e.index}/${e.of} (#${e.blockNumber}) committed in ${e.networkMs} ms`)
          else if (e.type === 'killed') err(`killed ${e.node} (kill -9) during block ${e.block}`)
          else if (e.type === 'restarted') err(`restarted ${e.node}`)
          else err('running the sequential reference and the local worker path on the same chain')
        }
        try {
          const report = await runTestnet(opts)
          if (o.json === true) process.stdout.write(`${toJson(report, 2)}\n`)
          else printReport(report, (s) => void process.stdout.write(`${s}\n`))
          return report.allRootsMatch === false ? EXIT.mismatch : EXIT.ok
        } finally {
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          if (ac.signal.aborted) process.exitCode = EXIT.interrupted
        }
      }),
    )
}
