/** `paradag gen`: writes a generated workload block (paradag-block/1 JSON) for `replay`. */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { WORKLOAD_NAMES, generateWorkload, workloadToJson } from '../../src/workloads/index.js'
import { toJson } from '../output.js'
import { UsageError, action } from '../run-command.js'

/** Registers `gen`. */
export function registerGen(program: Command): void {
  program
    .command('gen')
    .description('generate a block with its pre-state (paradag-block/1 JSON) for `paradag replay`')
    .option('--workload <name>', WORKLOAD_NAMES.join(' | '), 'mixed')
    .option('--txs <n>', 'transactions', '1000')
    .option('--accounts <n>', 'user accounts', '1000')
    .option('--skew <s>', 'Zipf skew over accounts', '0')
    .option('--seed <n>', 'seed', '1')
    .option('--invalid-rate <r>', 'fraction of invalid transactions (mixed)', '0')
    .requiredOption('--out <file>', 'output file')
    .action(
      action(async (o: { workload: string; txs: string; accounts: string; skew: string; seed: string; invalidRate: string; out: string }) => {
        if (!WORKLOAD_NAMES.includes(o.workload as (typeof WORKLOAD_NAMES)[number])) throw new UsageError(`--workload must be one of ${WORKLOAD_NAMES.join(', ')}`)
        const w = await generateWorkload(o.workload, {
          txs: Number(o.txs),
          accounts: Number(o.accounts),
          skew: Number(o.skew),
          seed: Number(o.seed),
          invalidRate: Number(o.invalidRate),
        })
        writeFileSync(o.out, toJson(workloadToJson(w)))
        process.stdout.write(`wrote ${o.out}: ${w.raw.length} transactions (${w.name})\n`)
      }),
    )
}
