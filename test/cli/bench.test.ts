import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const CLI = new URL('../../cli/main.js', import.meta.url).pathname

/** Runs `paradag bench` with `--json` and returns its one JSON object per run. */
async function bench(args: string[]): Promise<Record<string, unknown>[]> {
  const { stdout } = await run(process.execPath, [CLI, 'bench', '--json', ...args], { timeout: 240_000 })
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('paradag bench --exec (the CLI, real workers)', () => {
  it('runs A, B, the parallel path and the ceiling on one block; roots match', async () => {
    const [r] = await bench(['--exec', '--workload', 'erc20', '--txs', '300', '--accounts', '600', '--skew', '0', '--workers', '2'])
    assert.ok(r !== undefined)
    assert.equal(r.rootsMatch, true)
    assert.equal(r.txs, 300)
    assert.equal(r.workers, 2)
    for (const k of ['runBlockMs', 'sequentialMs', 'parallelMs', 'speedupVsSequential', 'speedupVsRunBlock', 'workerCeiling']) {
      const v = r[k]
      assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${k} = ${String(v)}`)
    }
    // The ratio printed is the ratio of the times printed.
    assert.ok(Math.abs((r.sequentialMs as number) / (r.parallelMs as number) - (r.speedupVsSequential as number)) < 1e-9)
    const phases = r.phases as Record<string, number>
    for (const k of ['prepareMs', 'predictMs', 'executeMs', 'commitMs', 'sealMs', 'totalMs']) assert.equal(typeof phases[k], 'number', k)
    // CPU of the counted runs: this thread's share of the process's (Linux reports both).
    const cpu = r.cpu as { sequentialMs: number; sequentialMainMs: number | null; parallelMs: number; parallelMainMs: number | null }
    for (const [whole, main] of [[cpu.sequentialMs, cpu.sequentialMainMs], [cpu.parallelMs, cpu.parallelMainMs]] as const) {
      assert.ok(Number.isFinite(whole) && whole > 0, `process CPU ${whole}`)
      if (process.platform === 'linux') assert.ok(main !== null && main >= 0 && main <= whole + 20, `main CPU ${String(main)} of ${whole}`)
    }
  })

  it('rejects a bad option with a usage error', async () => {
    await assert.rejects(run(process.execPath, [CLI, 'bench', '--strategy', 'nope']), (e: { code?: number; stderr?: string }) => e.code !== 0 && /strategy/.test(e.stderr ?? ''))
  })
})
