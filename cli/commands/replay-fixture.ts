/** `paradag replay --fixture`: an OP-stack block with its witness, in parallel (default) or sequentially. */
import { availableParallelism } from 'node:os'
import { bytesToHex } from '@ethereumjs/util'
import { diffHeaders, executeOpBlock, headerFromJson, headerToJson, parseOpBlockFixture } from '../../src/chain/index.js'
import { fastCustomCrypto } from '../../src/crypto/index.js'
import { WorkerExecutor, createInProcessExecutor } from '../../src/group-exec/index.js'
import { executeOpBlockParallel, type OpParallelResult } from '../../src/pipeline/index.js'
import { readJsonFile } from '../block-files.js'
import { formatPairs, toJson } from '../output.js'
import { EXIT, UsageError } from '../run-command.js'

interface FixtureOpts {
  sequential?: boolean
  json?: boolean
  workers?: string
  groups?: string
  inProcess?: boolean
}

/** Replays an OP-stack fixture and compares with its expected block hash; returns the exit code. */
export async function replayFixture(path: string, o: FixtureOpts): Promise<number> {
  const json = readJsonFile(path) as Record<string, unknown>
  const fixture = parseOpBlockFixture(json)
  const expected = bytesToHex(fixture.expectedBlockHash)
  const workers = o.workers === undefined ? availableParallelism() : Number(o.workers)
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError('--workers must be a positive integer')
  const t0 = performance.now()
  let par: OpParallelResult | null = null
  let header
  let blockHash: Uint8Array
  let stateRoot: Uint8Array
  let receiptsRoot: Uint8Array
  let gasUsed: bigint
  let txs: number
  if (o.sequential === true) {
    const r = await executeOpBlock({
      rollupConfig: json.rollupConfig as Record<string, unknown>,
      parentHeader: json.parentHeader as Record<string, unknown>,
      payloadAttributes: json.payloadAttributes as Record<string, unknown>,
      witness: json.witness as string[],
      customCrypto: fastCustomCrypto(),
    })
    ;({ header, blockHash, stateRoot, receiptsRoot, gasUsed } = r)
    txs = r.receipts.length
  } else {
    const executor = o.inProcess === true ? createInProcessExecutor() : new WorkerExecutor({ workers })
    if (executor instanceof WorkerExecutor) await executor.start()
    try {
      par = await executeOpBlockParallel({
        rollupConfig: json.rollupConfig as Record<string, unknown>,
        parentHeader: json.parentHeader as Record<string, unknown>,
        payloadAttributes: json.payloadAttributes as Record<string, unknown>,
        witness: json.witness as string[],
        executor,
        groups: o.groups === undefined ? Math.max(2, workers) : Number(o.groups),
      })
    } finally {
      if (executor instanceof WorkerExecutor) await executor.stop()
    }
    ;({ header, blockHash, stateRoot, receiptsRoot, gasUsed, txs } = par)
  }
  const ms = performance.now() - t0
  const got = bytesToHex(blockHash)
  const match = got.toLowerCase() === expected.toLowerCase()
  // Where the fixture carries the real header (e.g. the next block's parent), name the differing fields.
  const expectedHeader = (json.expectedHeader ?? json.header) as Record<string, unknown> | undefined
  const fields = !match && expectedHeader !== undefined ? diffHeaders(headerFromJson(expectedHeader, 'expectedHeader'), header) : []
  const out = {
    blockHash: got,
    expectedBlockHash: expected,
    match,
    stateRoot: bytesToHex(stateRoot),
    receiptsRoot: bytesToHex(receiptsRoot),
    gasUsed: gasUsed.toString(),
    txs,
    deposits: par?.deposits,
    mode: o.sequential === true ? 'sequential' : (par?.report.mode ?? 'parallel'),
    fallbackReason: par?.report.fallbackReason,
    groups: par?.report.groups ?? 0,
    rounds: par?.report.rounds ?? 0,
    repaired: par?.report.repaired ?? 0,
    reusedSpeculative: par?.report.reusedSpeculative ?? 0,
    ms: Math.round(ms),
    differingFields: fields,
  }
  if (o.json === true) process.stdout.write(`${toJson(out)}\n`)
  else {
    process.stdout.write(
      `${formatPairs([
        ['block', header.number],
        ['txs (deposits)', `${txs} (${out.deposits ?? '-'})`],
        ['mode', `${out.mode}${out.fallbackReason !== undefined ? ` (${out.fallbackReason})` : ''}`],
        ['groups / rounds / repaired', `${out.groups} / ${out.rounds} / ${out.repaired}`],
        ['gas used', gasUsed],
        ['state root', out.stateRoot],
        ['receipts root', out.receiptsRoot],
        ['block hash', got],
        ['expected', expected],
        ['result', match ? 'MATCH' : 'MISMATCH'],
        ['time ms', out.ms],
      ])}\n`,
    )
    if (!match) {
      process.stdout.write(fields.length > 0 ? `differing header fields: ${fields.join(', ')}\n` : `header computed: ${toJson(headerToJson(header))}\n`)
    }
  }
  return match ? EXIT.ok : EXIT.mismatch
}

