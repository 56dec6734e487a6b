import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor, createInProcessExecutor } from '../../src/group-exec/index.js'
import { executeOpBlockParallel } from '../../src/pipeline/index.js'
import { fixtureNumbers, loadFixtureJson as load } from '../chain/fixtures-path.js'

const run = promisify(execFile)
const CLI = new URL('../../cli/main.js', import.meta.url).pathname


describe('OP Sepolia fixtures through the parallel pipeline', () => {
  const pool = new WorkerExecutor({ workers: 2, id: 'fixture-pool' })
  before(() => pool.start())
  after(() => pool.stop())

  it('finds the four OP Sepolia fixtures', () => {
    assert.equal(fixtureNumbers().length, 4)
  })

  for (const n of fixtureNumbers()) {
    for (const mode of ['groups in-process', 'groups on workers', 'traced sequential'] as const) {
      it(`${n}: ${mode} reproduces expectedBlockHash`, async () => {
        const f = load(n)
        const r = await executeOpBlockParallel({
          rollupConfig: f.rollupConfig as Record<string, unknown>,
          parentHeader: f.parentHeader as Record<string, unknown>,
          payloadAttributes: f.payloadAttributes as Record<string, unknown>,
          witness: f.witness as string[],
          executor: mode === 'groups on workers' ? pool : createInProcessExecutor(),
          groups: 3,
          forceParallel: mode !== 'traced sequential',
          sequential: mode === 'traced sequential',
        })
        assert.equal(bytesToHex(r.blockHash), (f.expectedBlockHash as string).toLowerCase())
        assert.equal(r.report.mode, mode === 'traced sequential' ? 'sequential' : 'parallel')
      })
    }
  }

  it('replay --fixture exits non-zero and says MISMATCH when the expected hash is wrong', async () => {
    const n = fixtureNumbers()[0]!
    const f = load(n)
    const dir = mkdtempSync(join(tmpdir(), 'paradag-fx-'))
    try {
      const bad = join(dir, 'bad.json')
      writeFileSync(bad, JSON.stringify({ ...f, expectedBlockHash: `0x${'11'.repeat(32)}` }))
      const err = await run(process.execPath, [CLI, 'replay', '--fixture', bad, '--json', '--in-process']).then(
        () => null,
        (e: { code: number; stdout: string }) => e,
      )
      assert.ok(err !== null, 'expected a non-zero exit')
      assert.equal(err.code, 3)
      const out = JSON.parse(err.stdout) as { match: boolean }
      assert.equal(out.match, false)
      const missing = join(dir, 'missing.json')
      const { witness: _w, ...noWitness } = f
      writeFileSync(missing, JSON.stringify(noWitness))
      const err2 = await run(process.execPath, [CLI, 'replay', '--fixture', missing]).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      )
      assert.ok(err2 !== null)
      assert.match(err2.stderr, /^paradag: CHAIN_MISSING_FIELD/m)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
