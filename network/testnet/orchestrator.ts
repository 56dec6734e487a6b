/**
 * The local testnet: one OS process per node on 127.0.0.1 (`paradag node`, forked with an IPC
 * channel), a generated membership and keys in a directory, the blocks of a generated chain
 * built one at a time, fault injection (Byzantine nodes, kill -9 mid-block, delays), and a
 * report per block: transactions, packages, votes, reassignments, faults, the state root against
 * sequential execution of the same chain (computed here, after the nodes are gone), the time
 * against the local worker-thread path, messages and bytes, and an SVG timeline. Every child is
 * stopped on return, on error and on abort; children also exit when this process disappears.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bytesToHex } from '@ethereumjs/util'
import { WorkerExecutor } from '../../src/group-exec/index.js'
import { executeParallel, executeSequential } from '../../src/pipeline/index.js'
import { merkleStateFrom } from '../../src/state/index.js'
import type { NetworkStats } from '../node.js'
import type { BlockReport } from '../roles/committer.js'
import type { Fault } from '../roles/collector.js'
import type { ConstructionEvent } from '../roles/construction.js'
import { RoleError } from '../roles/errors.js'
import type { ByzantineMode, ExecutionEvent } from '../roles/execution-service.js'
import { buildTestChain, GENESIS_HASH } from './chain.js'
import type { ChainConfig } from './config.js'
import { layoutNodes, writeTestnetFiles } from './config.js'
import { renderGantt } from './gantt.js'
import type { GanttBar } from './gantt.js'
import type { ControlMessage, NodeMessage } from './node-runtime.js'

export interface TestnetOptions {
  construction: number
  groups: number
  voters: number
  blocks: number
  txs: number
  workload: string
  seed?: number
  accounts?: number
  byzantine?: Record<string, ByzantineMode>
  /** Kill -9 a node while block `block` (1-based index in the run) is in flight. */
  kills?: Array<{ node: string; block: number }>
  delays?: Record<string, number>
  groupTimeoutMs?: number
  /** Directory for the report, SVGs, keys and logs (default a temp dir, removed unless `keep`). */
  outDir?: string
  /** Run the sequential reference and the local worker baseline (default true). */
  references?: boolean
  /** Largest time one block may take (ms). */
  blockTimeoutMs?: number
  signal?: AbortSignal
  onProgress?: (e: ProgressEvent) => void
}

export type ProgressEvent =
  | { type: 'starting'; nodes: number; dir: string }
  | { type: 'ready' }
  | { type: 'block'; index: number; of: number; blockNumber: string; networkMs: number }
  | { type: 'killed'; node: string; block: number }
  | { type: 'restarted'; node: string }
  | { type: 'references' }

/** One block of the report. */
export interface TestnetBlock {
  blockNumber: string
  txs: number
  included: number | null
  excluded: number | null
  packages: number
  votes: number | null
  reassignments: number | null
  localExecutions: number | null
  repaired: number | null
  faults: Fault[]
  blockHash: string
  stateRoot: string
  sequentialRoot: string | null
  sequentialHash: string | null
  rootMatches: boolean | null
  hashMatches: boolean | null
  /** Construction start of the block to its commit notice at construction (ms). */
  networkMs: number
  planMs: number
  localWorkerMs: number | null
  sequentialMs: number | null
  /** networkMs / localWorkerMs. */
  overheadRatio: number | null
  messages: number
  bytes: number
  lastResultToCommitMs: number | null
  timelineSvg?: string
  timeline: BlockReport['timeline'] | null
}

export interface TestnetReport {
  config: Omit<TestnetOptions, 'signal' | 'onProgress'>
  dir: string
  nodes: Array<{ name: string; role: string; group?: number }>
  blocks: TestnetBlock[]
  faults: Fault[]
  killed: string[]
  restarted: string[]
  allRootsMatch: boolean | null
  totals: { txs: number; networkMs: number; localWorkerMs: number | null; messages: number; bytes: number }
}

interface Child {
  name: string
  role: string
  proc: ChildProcess
  exited: Promise<void>
  alive: boolean
}

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))

/** Runs a local testnet and returns its report (writes report.json and SVGs when outDir is set). */
export async function runTestnet(opts: TestnetOptions): Promise<TestnetReport> {
  validate(opts)
  const keep = opts.outDir !== undefined
  const dir = opts.outDir ?? (await mkdtemp(join(tmpdir(), 'paradag-testnet-')))
  // Keys, membership, configs, chain stores and logs are generated afresh for every run.
  await rm(join(dir, 'net'), { recursive: true, force: true })
  await rm(join(dir, 'logs'), { recursive: true, force: true })
  await mkdir(join(dir, 'logs'), { recursive: true })
  const chainCfg: ChainConfig = { workload: opts.workload, txs: opts.txs, blocks: opts.blocks, seed: opts.seed ?? 1, ...(opts.accounts !== undefined ? { accounts: opts.accounts } : {}) }
  const files = await writeTestnetFiles(join(dir, 'net'), {
    construction: opts.construction,
    groups: opts.groups,
    voters: opts.voters,
    chain: chainCfg,
    ...(opts.groupTimeoutMs !== undefined ? { groupTimeoutMs: opts.groupTimeoutMs } : {}),
    ...(opts.byzantine !== undefined ? { byzantine: opts.byzantine } : {}),
    ...(opts.delays !== undefined ? { delays: opts.delays } : {}),
  })
  const nodes = layoutNodes(opts)
  const children = new Map<string, Child>()
  const listeners = new Set<(m: NodeMessage) => void>()
  const execEvents: ExecutionEvent[] = []
  const constructionEvents: ConstructionEvent[] = []
  const committerReports = new Map<string, BlockReport>()
  const allFaults: Fault[] = []
  const killed: string[] = []
  const restarted: string[] = []
  let statsId = 0

  const onMessage = (m: NodeMessage): void => {
    if (m.type === 'event') {
      const e = m.event as { type?: string }
      if (e.type === 'package-received' || e.type === 'executed' || e.type === 'answered') execEvents.push(m.event as ExecutionEvent)
      else if (e.type === 'planned' || e.type === 'dispatched' || (e.type === 'committed' && 'blockHash' in (m.event as object))) constructionEvents.push(m.event as ConstructionEvent)
      if (e.type === 'committed' && 'report' in (m.event as object)) {
        const r = (m.event as { report: BlockReport }).report
        committerReports.set(r.blockNumber, r)
      }
      if (e.type === 'fault') allFaults.push((m.event as { fault: Fault }).fault)
    }
    for (const l of [...listeners]) l(m)
  }

  const spawn = async (name: string): Promise<Child> => {
    const role = files.roles.get(name)!
    const log = await open(join(dir, 'logs', `${name}.log`), 'a')
    const proc = fork(MAIN, ['node', '--role', role, '--config', files.configs.get(name)!], {
      stdio: ['ignore', log.fd, log.fd, 'ipc'],
      env: { ...process.env, DEBUG: process.env.DEBUG ?? 'paradag:*:error' },
    })
    const child: Child = {
      name,
      role,
      proc,
      alive: true,
      exited: new Promise((resolve) => {
        proc.once('exit', () => {
          child.alive = false
          void log.close()
          resolve()
        })
      }),
    }
    proc.on('message', (m: NodeMessage) => onMessage(m))
    proc.on('error', () => undefined)
    children.set(name, child)
    const ready = waitFor((m) => m.type === 'ready' && m.name === name, 60_000, `${name} to start`)
    const failed = child.exited.then(() => {
      throw new RoleError('TESTNET_FAILED', `${name} exited during start-up (see ${join(dir, 'logs', `${name}.log`)})`)
    })
    await Promise.race([ready, failed])
    return child
  }

  function waitFor(pred: (m: NodeMessage) => boolean, timeoutMs: number, what: string): Promise<NodeMessage> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => done(new RoleError('TESTNET_INTERRUPTED', 'testnet interrupted'))
      const timer = setTimeout(() => done(new RoleError('TESTNET_FAILED', `timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
      const l = (m: NodeMessage): void => {
        if (m.type === 'error' && m.name.startsWith('construction')) done(new RoleError('TESTNET_FAILED', `${m.name}: ${m.code}: ${m.message}`))
        else if (pred(m)) done(undefined, m)
      }
      function done(err: Error | undefined, m?: NodeMessage): void {
        clearTimeout(timer)
        listeners.delete(l)
        opts.signal?.removeEventListener('abort', onAbort)
        if (err !== undefined) reject(err)
        else resolve(m!)
      }
      listeners.add(l)
      opts.signal?.addEventListener('abort', onAbort)
      if (opts.signal?.aborted === true) onAbort()
    })
  }

  const send = (name: string, m: ControlMessage): void => {
    const c = children.get(name)
    if (c?.alive === true && c.proc.connected) c.proc.send(m)
  }

  const collectStats = async (): Promise<Map<string, NetworkStats>> => {
    const id = ++statsId
    const live = [...children.values()].filter((c) => c.alive && c.proc.connected)
    const out = new Map<string, NetworkStats>()
    await Promise.all(
      live.map(async (c) => {
        const p = waitFor((m) => m.type === 'stats' && m.id === id && m.name === c.name, 5000, `stats of ${c.name}`)
        send(c.name, { type: 'stats', id })
        try {
          const m = (await p) as Extract<NodeMessage, { type: 'stats' }>
          out.set(c.name, m.stats as NetworkStats)
        } catch {
          // a node that died in between simply counts no more
        }
      }),
    )
    return out
  }

  const stopAll = async (): Promise<void> => {
    await Promise.all(
      [...children.values()].map(async (c) => {
        if (!c.alive) return
        send(c.name, { type: 'stop' })
        const t = setTimeout(() => c.proc.kill('SIGKILL'), 5000)
        await c.exited
        clearTimeout(t)
      }),
    )
  }

  const blocks: TestnetBlock[] = []
  try {
    opts.onProgress?.({ type: 'starting', nodes: nodes.length, dir })
    for (const n of nodes) await spawn(n.name)
    opts.onProgress?.({ type: 'ready' })
    const builder = nodes.find((n) => n.role === 'construction')!.name
    let previous = await collectStats()
    for (let b = 1; b <= opts.blocks; b++) {
      opts.signal?.throwIfAborted()
      const killsNow = (opts.kills ?? []).filter((k) => k.block === b)
      const killers = killsNow.map((k) => armKill(k.node, b))
      const built = waitFor((m) => m.type === 'built' && m.name === builder, opts.blockTimeoutMs ?? 180_000, `block ${b} to be committed`)
      send(builder, { type: 'build' })
      const m = (await built) as Extract<NodeMessage, { type: 'built' }>
      for (const k of killers) k.cancel()
      await Promise.all(killers.map((k) => k.restarted))
      const number = m.blockNumber
      // The committer's own report follows its notice closely; it is lost if it was killed in between.
      if (!committerReports.has(number)) await waitFor((x) => x.type === 'event' && (x.event as { report?: BlockReport }).report?.blockNumber === number, 3000, 'report').catch(() => undefined)
      const now = await collectStats()
      const { messages, bytes } = statsDelta(previous, now)
      previous = now
      const planned = constructionEvents.filter((e): e is Extract<ConstructionEvent, { type: 'planned' }> => e.type === 'planned' && e.blockNumber === number).at(-1)!
      const committed = constructionEvents.filter((e): e is Extract<ConstructionEvent, { type: 'committed' }> => e.type === 'committed' && e.blockNumber === number).at(-1)!
      const r = committerReports.get(number)
      const block: TestnetBlock = {
        blockNumber: number,
        txs: planned.txs,
        included: r?.included ?? null,
        excluded: r?.excluded ?? null,
        packages: planned.packages,
        votes: r?.votes ?? null,
        reassignments: r?.reassignments ?? null,
        localExecutions: r?.localExecutions ?? null,
        repaired: r?.repaired ?? null,
        faults: allFaults.filter((f) => f.blockNumber === number),
        blockHash: committed.blockHash,
        stateRoot: committed.stateRoot,
        sequentialRoot: null,
        sequentialHash: null,
        rootMatches: null,
        hashMatches: null,
        networkMs: committed.at - planned.startedAt,
        planMs: planned.planMs,
        localWorkerMs: null,
        sequentialMs: null,
        overheadRatio: null,
        messages,
        bytes,
        lastResultToCommitMs: r?.lastResultToCommitMs ?? null,
        timeline: r?.timeline ?? null,
      }
      blocks.push(block)
      opts.onProgress?.({ type: 'block', index: b, of: opts.blocks, blockNumber: number, networkMs: block.networkMs })
      const svg = renderGantt(ganttOf(block, planned, committed, r, execEvents))
      if (keep) {
        await writeFile(join(dir, `block-${number}.svg`), svg)
        block.timelineSvg = join(dir, `block-${number}.svg`)
      }
    }
  } catch (err) {
    await stopAll()
    if (!keep) await rm(dir, { recursive: true, force: true })
    throw err
  } finally {
    await stopAll()
  }

  if (opts.references !== false) {
    opts.onProgress?.({ type: 'references' })
    await references(chainCfg, blocks, opts.groups)
  }
  const report: TestnetReport = {
    config: { ...withoutCallbacks(opts) },
    dir,
    nodes,
    blocks,
    faults: allFaults,
    killed,
    restarted,
    allRootsMatch: blocks.every((b) => b.rootMatches === null) ? null : blocks.every((b) => b.rootMatches === true),
    totals: {
      txs: blocks.reduce((s, b) => s + b.txs, 0),
      networkMs: blocks.reduce((s, b) => s + b.networkMs, 0),
      localWorkerMs: blocks.every((b) => b.localWorkerMs !== null) ? blocks.reduce((s, b) => s + (b.localWorkerMs ?? 0), 0) : null,
      messages: blocks.reduce((s, b) => s + b.messages, 0),
      bytes: blocks.reduce((s, b) => s + b.bytes, 0),
    },
  }
  if (keep) await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
  else await rm(dir, { recursive: true, force: true })
  return report

  /** Kills `node` mid-block: when it takes a package of the block (or once the block is dispatched). */
  function armKill(node: string, b: number): { cancel: () => void; restarted: Promise<void> } {
    let fired = false
    let cancelled = false
    let resolveRestart!: () => void
    const restartedP = new Promise<void>((r) => (resolveRestart = r))
    const fire = (): void => {
      if (fired || cancelled) return
      fired = true
      listeners.delete(l)
      const c = children.get(node)
      if (c === undefined || !c.alive) return resolveRestart()
      c.proc.kill('SIGKILL')
      killed.push(node)
      opts.onProgress?.({ type: 'killed', node, block: b })
      if (c.role !== 'committer') return resolveRestart()
      // The chain cannot go on without its committer: bring it back from its store.
      void c.exited
        .then(() => spawn(node))
        .then(() => {
          restarted.push(node)
          opts.onProgress?.({ type: 'restarted', node })
        })
        .finally(resolveRestart)
    }
    const role = files.roles.get(node)
    const l = (m: NodeMessage): void => {
      if (m.type !== 'event') return
      const e = m.event as { type?: string }
      if (role !== 'committer' && m.name === node && e.type === 'package-received') fire()
      else if (e.type === 'dispatched') setTimeout(fire, role === 'committer' ? 30 : 200)
    }
    listeners.add(l)
    return {
      cancel: () => {
        cancelled = !fired
        listeners.delete(l)
        if (!fired) resolveRestart()
      },
      restarted: restartedP,
    }
  }
}

function validate(o: TestnetOptions): void {
  const bad = (m: string): never => {
    throw new RoleError('ROLE_BAD_CONFIG', m)
  }
  if (o.construction !== 1) bad('exactly one construction node is supported')
  if (!(o.groups >= 1 && o.voters >= 0 && o.blocks >= 1 && o.txs >= 1)) bad('groups >= 1, voters >= 0, blocks >= 1 and txs >= 1 are required')
  const names = new Set(layoutNodes(o).map((n) => n.name))
  for (const k of o.kills ?? []) {
    if (!names.has(k.node)) bad(`--kill names an unknown node ${k.node}`)
    if (k.node.startsWith('construction')) bad('the construction node cannot be killed (it drives the run)')
    if (k.block < 1 || k.block > o.blocks) bad(`--kill block ${k.block} is outside 1..${o.blocks}`)
  }
  for (const n of [...Object.keys(o.byzantine ?? {}), ...Object.keys(o.delays ?? {})]) {
    if (!names.has(n)) bad(`unknown node ${n}`)
    if (!n.startsWith('seq-') && !n.startsWith('voter-') && o.byzantine?.[n] !== undefined) bad(`only execution nodes can be Byzantine (${n})`)
  }
}

function withoutCallbacks(o: TestnetOptions): Omit<TestnetOptions, 'signal' | 'onProgress'> {
  const { signal: _s, onProgress: _p, ...rest } = o
  return rest
}

function statsDelta(a: Map<string, NetworkStats>, b: Map<string, NetworkStats>): { messages: number; bytes: number } {
  let messages = 0
  let bytes = 0
  for (const [name, s] of b) {
    const p = a.get(name)
    for (const [proto, c] of Object.entries(s.sent)) {
      const before = p?.sent[proto as keyof NetworkStats['sent']]
      // A restarted node starts from zero.
      const dm = c.messages - (before !== undefined && before.messages <= c.messages ? before.messages : 0)
      const db = c.bytes - (before !== undefined && before.bytes <= c.bytes ? before.bytes : 0)
      messages += dm
      bytes += db
    }
  }
  return { messages, bytes }
}

/** Sequential reference (roots) and the local worker-thread path (time) over the same chain. */
async function references(cfg: ChainConfig, blocks: TestnetBlock[], groups: number): Promise<void> {
  const chain = await buildTestChain(cfg)
  const seqState = await merkleStateFrom(chain.genesis, chain.common)
  const parState = await merkleStateFrom(chain.genesis, chain.common)
  const workers = new WorkerExecutor({ workers: Math.max(2, Math.min(groups, 4)), id: 'local-workers' })
  await workers.start()
  try {
    let seqParent = GENESIS_HASH
    let parParent = GENESIS_HASH
    for (let i = 0; i < chain.blocks.length; i++) {
      const number = chain.firstNumber + BigInt(i)
      const raws = chain.blocks[i]!
      const t0 = performance.now()
      const seq = await executeSequential({ common: chain.common, env: chain.envFor(number, seqParent), state: seqState, raws })
      const seqMs = performance.now() - t0
      seqParent = bytesToHex(seq.blockHash)
      const t1 = performance.now()
      const par = await executeParallel({ common: chain.common, chain: chain.chain, env: chain.envFor(number, parParent), state: parState, raws, executor: workers, groups: Math.max(2, groups), forceParallel: true })
      const parMs = performance.now() - t1
      parParent = bytesToHex(par.outcome.blockHash)
      const b = blocks.find((x) => x.blockNumber === number.toString())
      if (b === undefined) continue
      b.sequentialRoot = bytesToHex(seq.stateRoot)
      b.sequentialHash = bytesToHex(seq.blockHash)
      b.rootMatches = b.sequentialRoot === b.stateRoot
      b.hashMatches = b.sequentialHash === b.blockHash
      b.sequentialMs = Math.round(seqMs)
      b.localWorkerMs = Math.round(parMs)
      b.overheadRatio = parMs > 0 ? b.networkMs / parMs : null
    }
  } finally {
    await workers.stop()
  }
}

function ganttOf(
  block: TestnetBlock,
  planned: Extract<ConstructionEvent, { type: 'planned' }>,
  committed: Extract<ConstructionEvent, { type: 'committed' }>,
  r: BlockReport | undefined,
  exec: ExecutionEvent[],
): Parameters<typeof renderGantt>[0] {
  const bars: GanttBar[] = [{ row: 'construction-0', label: 'plan', start: planned.startedAt, end: planned.at, kind: 'phase' }]
  const accepted = new Map<string, string>()
  for (const t of r?.timeline ?? []) accepted.set(t.packageId, t.executedBy)
  for (const e of exec) {
    if (e.type !== 'executed' || e.blockNumber !== block.blockNumber || e.startedAt === undefined || e.finishedAt === undefined) continue
    const isSeq = e.node.startsWith('seq-')
    bars.push({
      row: e.node,
      label: e.packageId.replace(`${block.blockNumber}:`, ''),
      start: e.startedAt,
      end: e.finishedAt,
      kind: !isSeq ? 'vote' : accepted.get(e.packageId) === e.node ? 'accepted' : 'rejected',
    })
  }
  for (const t of r?.timeline ?? []) {
    if (t.executedBy === 'local') bars.push({ row: 'committer', label: `${t.packageId.replace(`${block.blockNumber}:`, '')} (local)`, start: t.startedAt, end: t.finishedAt, kind: 'local' })
  }
  if (r !== undefined) bars.push({ row: 'committer', label: 'commit', start: r.lastResultAt, end: r.committedAt, kind: 'phase' })
  return {
    title: `block ${block.blockNumber}: ${block.txs} txs, ${block.packages} packages, ${block.networkMs} ms`,
    origin: planned.startedAt,
    bars,
    markers: [{ at: committed.at, label: 'committed' }],
  }
}
