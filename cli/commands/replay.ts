/** `paradag replay`: re-executes a block file in parallel (or sequentially) and prints phases and roots. */
import { availableParallelism } from 'node:os'
import type { Command } from 'commander'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor, createInProcessExecutor } from '../../src/group-exec/index.js'
import { executeParallel, executeSequential, type BlockOutcome, type ParallelReport } from '../../src/pipeline/index.js'
import { MapStateManager, merkleStateFrom, snapshotToJson } from '../../src/state/index.js'
import { buildBlockAccessList } from '../../src/state-verification/index.js'
import { writeFileSync } from 'node:fs'
import { workloadBlockInput } from '../../src/workloads/index.js'
import { loadBlockFile } from '../block-files.js'
import { replayFixture } from './replay-fixture.js'
import { formatPairs, formatTable, toJson } from '../output.js'
import { EXIT, UsageError, action } from '../run-command.js'

interface ReplayOpts {
  fixture?: string
  workers?: string
  groups?: string
  sequential?: boolean
  verify?: boolean
  json?: boolean
  inProcess?: boolean
  bal?: string
  traceFallback?: boolean
}

/** Registers `replay`. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay a block (paradag-block/1 JSON, or an OP-stack fixture with --fixture) in parallel and print phases and roots')
    .argument('[block]', 'block file (paradag-block/1 JSON with pre-state; see README)')
    .option('--fixture <file>', 'an OP-stack block fixture with a witness (reproduces expectedBlockHash)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--groups <k>', 'groups to partition into (default: workers)')
    .option('--sequential', 'run the sequential path only')
    .option('--verify', 'also run sequentially in this process and compare roots and every receipt')
    .option('--in-process', 'execute groups in this thread instead of worker threads')
    .option('--json', 'print a JSON object')
    .option('--trace-fallback', 'trace a block that falls back to sequential execution (for --bal)')
    .option('--bal <file>', 'write the block\'s EIP-7928 access list (RLP, hash, JSON) and DAG hint to a JSON file')
    .action(
      action(async (file: string | undefined, o: ReplayOpts) => {
        if (o.fixture !== undefined) return replayFixture(o.fixture, o)
        if (file === undefined) throw new UsageError('give a block file, or --fixture <file>')
        const workers = o.workers === undefined ? availableParallelism() : Number(o.workers)
        if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a positive integer')
        const groups = o.groups === undefined ? Math.max(2, workers) : Number(o.groups)
        const w = loadBlockFile(file)
        const { env, raws, chain } = workloadBlockInput(w)
        const common = w.common
        let report: ParallelReport | null = null
        let seq: BlockOutcome | null = null
        let seqMs = 0
        if (o.sequential !== true) {
          const executor = o.inProcess === true ? createInProcessExecutor() : new WorkerExecutor({ workers })
          if (executor instanceof WorkerExecutor) await executor.start()
          try {
            const state = await merkleStateFrom(w.genesis, common)
            report = await executeParallel({ common, chain, env, state, raws, executor, groups, parentSnapshot: snapshotToJson(w.genesis), ...(o.traceFallback === true || o.bal !== undefined ? { traceFallback: true } : {}) })
          } finally {
            if (executor instanceof WorkerExecutor) await executor.stop()
          }
        }
        if (o.sequential === true || o.verify === true) {
          const state = await merkleStateFrom(w.genesis, common)
          const t = performance.now()
          seq = await executeSequential({ common, env, state, raws })
          seqMs = performance.now() - t
        }
        if (o.bal !== undefined) {
          if (report === null) throw new UsageError('--bal needs the parallel path (drop --sequential)')
          if (!report.traced) throw new UsageError('this block fell back to plain sequential execution; add --trace-fallback to get its BAL')
          const built = await buildBlockAccessList(report.traces, new MapStateManager({ snapshot: w.genesis }), { alwaysTouched: [env.coinbase] })
          writeFileSync(o.bal, toJson({ blockAccessListHash: bytesToHex(built.hash), blockAccessListRlp: bytesToHex(built.rlp), blockAccessList: built.json, dagHint: report.dagHint }, 2))
        }
        const main = report?.outcome ?? seq!
        const diffs = report !== null && seq !== null ? compareOutcomes(report.outcome, seq) : []
        if (o.json === true) {
          process.stdout.write(
            `${toJson({
              block: Number(env.number),
              txs: raws.length,
              included: main.included.length,
              excluded: main.excluded,
              gasUsed: main.gasUsed,
              stateRoot: bytesToHex(main.stateRoot),
              receiptsRoot: bytesToHex(main.receiptsRoot),
              transactionsRoot: bytesToHex(main.transactionsRoot),
              blockHash: bytesToHex(main.blockHash),
              mode: report?.mode ?? 'sequential',
              fallbackReason: report?.fallbackReason,
              groups: report?.groups ?? 0,
              rounds: report?.rounds ?? 0,
              reexecuted: report?.reexecuted ?? 0,
              reusedSpeculative: report?.reusedSpeculative ?? 0,
              repaired: report?.repaired ?? 0,
              rebased: report?.rebased ?? 0,
              sequentialTail: report?.sequentialTail ?? 0,
              phases: report?.phases,
              sequentialMs: seq !== null ? seqMs : undefined,
              verified: seq !== null && report !== null ? diffs.length === 0 : undefined,
              differences: diffs,
            })}\n`,
          )
        } else {
          if (report !== null) {
            const p = report.phases
            process.stdout.write(
              `${formatTable(
                ['phase', 'ms'],
                [
                  ['prepare (decode, recover senders)', p.prepareMs],
                  ['predict (speculative traced runs)', p.predictMs],
                  ['DAG', p.dagMs],
                  ['partition', p.partitionMs],
                  ['execute (groups, repair, tail)', p.executeMs],
                  ['commit (validate, merge, roots)', p.commitMs],
                  ['  of which seal (flush, roots, header)', p.sealMs],
                  ['total', p.totalMs],
                ],
              )}\n\n`,
            )
          }
          process.stdout.write(
            `${formatPairs([
              ['block', env.number],
              ['txs (included / excluded)', `${main.included.length} / ${main.excluded.length}`],
              ['mode', report === null ? 'sequential' : `${report.mode}${report.fallbackReason !== undefined ? ` (${report.fallbackReason})` : ''}`],
              ['groups', report?.groups ?? 0],
              ['rounds', report?.rounds ?? 0],
              ['re-executed txs', report?.reexecuted ?? 0],
              ['speculative results kept', report?.reusedSpeculative ?? 0],
              ['repaired (re-run by the committer)', report?.repaired ?? 0],
              ['sender balance rebased', report?.rebased ?? 0],
              ['sequential tail', report?.sequentialTail ?? 0],
              ['gas used', main.gasUsed],
              ['state root', bytesToHex(main.stateRoot)],
              ['receipts root', bytesToHex(main.receiptsRoot)],
              ['transactions root', bytesToHex(main.transactionsRoot)],
              ['block hash', bytesToHex(main.blockHash)],
              ...(seq !== null ? ([['sequential ms', seqMs]] as [string, number][]) : []),
              ...(seq !== null && report !== null ? ([['verify', diffs.length === 0 ? 'OK: equal to sequential' : `MISMATCH (${diffs.length})`]] as [string, string][]) : []),
            ])}\n`,
          )
          for (const d of diffs.slice(0, 10)) process.stdout.write(`  ${d}\n`)
        }
        return diffs.length > 0 ? EXIT.mismatch : EXIT.ok
      }),
    )
}

/** Differences between two outcomes: roots, then the first differing receipts. */
export function compareOutcomes(a: BlockOutcome, b: BlockOutcome): string[] {
  const out: string[] = []
  const fields = ['stateRoot', 'receiptsRoot', 'transactionsRoot', 'logsBloom', 'blockHash'] as const
  for (const f of fields) if (bytesToHex(a[f]) !== bytesToHex(b[f])) out.push(`${f}: ${bytesToHex(a[f]).slice(0, 18)}… != ${bytesToHex(b[f]).slice(0, 18)}…`)
  if (a.gasUsed !== b.gasUsed) out.push(`gasUsed: ${a.gasUsed} != ${b.gasUsed}`)
  const n = Math.max(a.included.length, b.included.length)
  for (let i = 0; i < n; i++) {
    const x = a.included[i]
    const y = b.included[i]
    if (x === undefined || y === undefined) {
      out.push(`receipt ${i}: present in only one block`)
      break
    }
    if (x.index !== y.index || x.receipt.status !== y.receipt.status || x.receipt.gasUsed !== y.receipt.gasUsed || x.receipt.cumulativeGasUsed !== y.receipt.cumulativeGasUsed || x.receipt.logs.length !== y.receipt.logs.length) {
      out.push(`first differing receipt: block tx ${i} (input index ${x.index}): status ${x.receipt.status}/${y.receipt.status}, gas ${x.receipt.gasUsed}/${y.receipt.gasUsed}`)
      break
    }
  }
  const ea = a.excluded.map((e) => `${e.index}:${e.code}`).join(',')
  const eb = b.excluded.map((e) => `${e.index}:${e.code}`).join(',')
  if (ea !== eb) out.push(`exclusions differ: [${ea}] != [${eb}]`)
  return out
}
