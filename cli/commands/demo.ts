/** `paradag demo` (`npm start`): a small local testnet on a mixed workload of real contracts, with a readable summary. */
import type { Command } from 'commander'
import { runTestnet } from '../../network/testnet/orchestrator.js'
import { action, EXIT } from '../run-command.js'
import { printReport } from './testnet.js'

/** Registers `demo` on the program. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('1 construction node, 2 groups of 1 sequencer + 2 voters, 1 committer: a few blocks of a mixed workload')
    .option('--blocks <b>', 'blocks', '3')
    .option('--txs <n>', 'transactions per block', '150')
    .option('--out <dir>', 'also write report.json and block timelines (SVG) here')
    .action(
      action(async (o: { blocks: string; txs: string; out?: string }) => {
        const say = (s: string): void => void process.stdout.write(`${s}\n`)
        say('paradag demo: distributed, serial-equivalent block execution over libp2p')
        say('  1 construction node plans each block (speculative prediction, conflict DAG, partition)')
        say('  2 execution groups (1 sequencer + 2 voters each) execute the packages and vote on results')
        say('  1 committer accepts a result only with a quorum of voter signatures, then commits and persists the block')
        say('')
        const ac = new AbortController()
        const onSignal = (): void => ac.abort()
        process.once('SIGINT', onSignal)
        const t0 = Date.now()
        try {
          const report = await runTestnet({
            construction: 1,
            groups: 2,
            voters: 2,
            blocks: Number(o.blocks),
            txs: Number(o.txs),
            workload: 'mixed',
            seed: 7,
            groupTimeoutMs: 20_000,
            accounts: 200,
            signal: ac.signal,
            ...(o.out !== undefined ? { outDir: o.out } : {}),
            onProgress: (e) => {
              if (e.type === 'starting') say(`starting ${e.nodes} node processes on 127.0.0.1 …`)
              else if (e.type === 'block') say(`  block #${e.blockNumber} committed (${e.networkMs} ms)`)
              else if (e.type === 'references') say('checking every block against sequential execution …')
            },
          })
          say('')
          printReport(report, say)
          const b = report.blocks
          const votes = b.reduce((s, x) => s + (x.votes ?? 0), 0)
          say('')
          say(`${report.totals.txs} transactions in ${b.length} blocks; ${b.reduce((s, x) => s + x.packages, 0)} work packages, ${votes} voter signatures checked;`)
          say(`${report.totals.messages} messages, ${(report.totals.bytes / 1024 / 1024).toFixed(2)} MiB on the wire; finished in ${((Date.now() - t0) / 1000).toFixed(1)} s.`)
          if (o.out !== undefined) say(`report: ${o.out}/report.json, timelines: ${o.out}/block-*.svg`)
          return report.allRootsMatch === false ? EXIT.mismatch : EXIT.ok
        } finally {
          process.off('SIGINT', onSignal)
        }
      }),
    )
}
