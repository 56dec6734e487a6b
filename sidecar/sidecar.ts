/**
 * The sidecar service: wires the RPC client, head source, replayer, follower, metrics and the
 * API server, and owns their lifecycle (`start()` / `stop()` release everything).
 */
import { parseRollupConfig } from '../src/chain/index.js'
import { type Logger, silentLogger } from '../src/common/index.js'
import { type PipelineExecutor } from '../src/pipeline/index.js'
import { WorkerExecutor, createInProcessExecutor } from '../src/group-exec/index.js'
import { type BlockCheckDeps, type BlockReport, checkBlock } from './block-check.js'
import { DEFAULT_API_HOST, DEFAULT_API_PORT, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS } from './constants.js'
import { SidecarError } from './errors.js'
import { Follower, type FollowerStatus } from './follower.js'
import { HeadSource } from './heads.js'
import { type SidecarMetrics, createSidecarMetrics } from './metrics.js'
import { NodeApi } from './node-api.js'
import { parsePlanParams, planBatch } from './planner.js'
import type { NodeProfileName } from './profile.js'
import { type BlockReplayer, createParallelReplayer, createSequentialReplayer } from './replayer.js'
import { backoffDelay, createRpcClient, sleep } from './rpc-client.js'
import { ApiServer } from './server.js'
import type { WitnessMode } from './witness.js'

export interface SidecarOptions {
  rpcUrl: string
  wsUrl?: string | undefined
  fromBlock?: bigint | undefined
  toBlock?: bigint | undefined
  profile?: NodeProfileName
  /** The rollup config JSON (op-node rollup.json); else fetched from `rollupRpcUrl` (op-node). */
  rollupConfig?: Record<string, unknown> | undefined
  rollupRpcUrl?: string | undefined
  witness?: WitnessMode
  /** Replay with the sequential reference executor instead of the parallel pipeline. */
  sequential?: boolean
  /** Worker threads for the parallel pipeline (0 = in-process executor). */
  workers?: number
  groups?: number
  /** Run blocks through groups even when the pipeline would fall back to sequential (small blocks). */
  forceParallel?: boolean
  /** API server; `false` disables it, port 0 picks a free port. */
  api?: { host?: string; port?: number } | false
  /** /readyz is 200 only within this many blocks of the head. */
  readyLag?: number
  rpcTimeoutMs?: number
  rpcRetries?: number
  pollIntervalMs?: number
  logger?: Logger
  onReport?: (r: BlockReport) => void
}

export interface SidecarStatus {
  chainId: string | undefined
  profile: NodeProfileName
  replayMode: 'sequential' | 'parallel'
  witness: WitnessMode
  rpc: string
  ws: string | undefined
  nodeUp: boolean
  wsConnected: boolean
  missingMethods: string[]
  follower: FollowerStatus | undefined
}

/** Creates a sidecar; call `start()`. */
export function createSidecar(opts: SidecarOptions): Sidecar {
  return new Sidecar(opts)
}

/** Follows an OP-stack node, verifies its blocks by re-execution, and serves the planning API. */
export class Sidecar {
  readonly metrics: SidecarMetrics
  readonly api: NodeApi
  private readonly log: Logger
  private heads: HeadSource | undefined
  private follower: Follower | undefined
  private server: ApiServer | undefined
  private executor: (PipelineExecutor & { stop?: () => Promise<void> }) | undefined
  private replayer: BlockReplayer | undefined
  private deps: BlockCheckDeps | undefined
  private chainId: bigint | undefined
  private nodeUp = false
  private readonly controller = new AbortController()

  constructor(private readonly opts: SidecarOptions) {
    this.log = opts.logger ?? silentLogger
    this.metrics = createSidecarMetrics()
    const client = createRpcClient({
      url: opts.rpcUrl,
      ...(opts.rpcTimeoutMs !== undefined ? { timeoutMs: opts.rpcTimeoutMs } : {}),
      ...(opts.rpcRetries !== undefined ? { retries: opts.rpcRetries } : {}),
      logger: this.log.child('rpc'),
      onRequest: (method, outcome) => this.metrics.rpcRequests.inc({ method, outcome }),
    })
    this.api = new NodeApi(client)
  }

  get profile(): NodeProfileName {
    return this.opts.profile ?? 'op'
  }

  /** The API server's address (when enabled and started). */
  apiAddress(): { host: string; port: number } | undefined {
    return this.server?.address()
  }

  private async connect(): Promise<bigint> {
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.api.chainId({ signal: this.controller.signal })
        this.nodeUp = true
        this.metrics.nodeUp.set(1)
        return id
      } catch (err) {
        if (!(err instanceof SidecarError) || err.code === 'SIDECAR_ABORTED' || !['SIDECAR_RPC_TIMEOUT', 'SIDECAR_RPC_UNREACHABLE', 'SIDECAR_RPC_HTTP'].includes(err.code)) throw err
        const d = backoffDelay(attempt, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS)
        this.log.error('node %s not reachable (%s); retrying in %d ms', this.opts.rpcUrl, err.code, d)
        await sleep(d, this.controller.signal)
      }
    }
  }

  private async loadRollupConfig(chainId: bigint): Promise<Record<string, unknown> | undefined> {
    if (this.profile === 'anvil') return undefined
    let cfg = this.opts.rollupConfig
    if (cfg === undefined && this.opts.rollupRpcUrl !== undefined) {
      const op = new NodeApi(createRpcClient({ url: this.opts.rollupRpcUrl }))
      cfg = await op.rollupConfig({ signal: this.controller.signal })
    }
    if (cfg === undefined) cfg = await this.api.rollupConfig({ signal: this.controller.signal, retries: 0 })
    if (cfg === undefined) throw new SidecarError('SIDECAR_CONFIG_INVALID', 'no rollup config: pass --rollup-config <rollup.json> or --rollup-rpc <op-node url>')
    let parsed
    try {
      parsed = parseRollupConfig(cfg)
    } catch (cause) {
      throw new SidecarError('SIDECAR_CONFIG_INVALID', `the rollup config is invalid: ${(cause as Error).message}`, { cause })
    }
    if (parsed.l2ChainId !== chainId) {
      throw new SidecarError('SIDECAR_CONFIG_INVALID', `the rollup config is for chain ${parsed.l2ChainId} but the node serves chain ${chainId}`)
    }
    return cfg
  }

  async start(): Promise<void> {
    const chainId = await this.connect()
    this.chainId = chainId
    const rollupConfig = await this.loadRollupConfig(chainId)
    if (this.opts.sequential === true) this.replayer = createSequentialReplayer()
    else {
      const workers = this.opts.workers ?? 0
      if (workers > 0) {
        const w = new WorkerExecutor({ workers, id: 'sidecar' })
        await w.start()
        this.executor = w
      } else this.executor = createInProcessExecutor('sidecar')
      this.replayer = createParallelReplayer({
        executor: this.executor,
        ...(this.opts.groups !== undefined ? { groups: this.opts.groups } : {}),
        ...(this.opts.forceParallel === true ? { forceParallel: true } : {}),
      })
    }
    this.deps = { api: this.api, replayer: this.replayer, profile: this.profile, chainId, rollupConfig, witnessMode: this.opts.witness ?? 'auto' }
    this.heads = new HeadSource({
      api: this.api,
      wsUrl: this.opts.wsUrl,
      ...(this.opts.pollIntervalMs !== undefined ? { pollIntervalMs: this.opts.pollIntervalMs } : {}),
      logger: this.log.child('heads'),
      onNodeStatus: (up, err) => {
        this.nodeUp = up
        this.metrics.nodeUp.set(up ? 1 : 0)
        if (up) this.log('node %s is up', this.opts.rpcUrl)
        else this.log.error('node %s went away: %s', this.opts.rpcUrl, (err as Error | undefined)?.message)
      },
    })
    await this.heads.start()
    this.follower = new Follower(
      { deps: this.deps, heads: this.heads, logger: this.log.child('follow'), metrics: this.metrics, ...(this.opts.onReport !== undefined ? { onReport: this.opts.onReport } : {}) },
      { fromBlock: this.opts.fromBlock, toBlock: this.opts.toBlock },
    )
    if (this.opts.api !== false) {
      const deps = this.deps
      const planDeps = { api: this.api, profile: this.profile, chainId, rollupConfig }
      this.server = new ApiServer({
        host: this.opts.api?.host ?? DEFAULT_API_HOST,
        port: this.opts.api?.port ?? DEFAULT_API_PORT,
        logger: this.log.child('api'),
        metrics: async () => ({ contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
        health: () => this.health(),
        methods: {
          paradag_status: async () => this.status(),
          paradag_replayBlock: async (params, signal) => {
            const p = Array.isArray(params) ? params[0] : undefined
            if (!(typeof p === 'number' && Number.isSafeInteger(p) && p > 0) && !(typeof p === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(p))) {
              throw new SidecarError('SIDECAR_BAD_REQUEST', 'params: [blockNumber]')
            }
            return checkBlock(deps, BigInt(p), { signal })
          },
          paradag_planBatch: async (params, signal) => {
            const { raws, parent, options } = parsePlanParams(params)
            this.metrics.plans.inc({ policy: options.policy ?? 'serialize' })
            return planBatch(planDeps, raws, parent, options, signal)
          },
        },
      })
      await this.server.start()
    }
    await this.follower.start()
  }

  /** Resolves once block `n` has been processed (tests, backfills). */
  async waitFor(n: bigint, signal?: AbortSignal): Promise<void> {
    await this.follower?.waitFor(n, signal)
  }

  health(): { healthy: boolean; ready: boolean; detail: Record<string, unknown> } {
    const f = this.follower?.status()
    const lag = f?.lag
    const ready = this.nodeUp && f !== undefined && (f.state === 'following' || f.state === 'done') && lag !== undefined && lag <= (this.opts.readyLag ?? 8)
    return { healthy: this.nodeUp, ready, detail: { nodeUp: this.nodeUp, state: f?.state, lag, verified: f?.verified, mismatches: f?.mismatches } }
  }

  status(): SidecarStatus {
    return {
      chainId: this.chainId?.toString(),
      profile: this.profile,
      replayMode: this.replayer?.mode ?? (this.opts.sequential === true ? 'sequential' : 'parallel'),
      witness: this.opts.witness ?? 'auto',
      rpc: this.opts.rpcUrl,
      ws: this.opts.wsUrl,
      nodeUp: this.nodeUp,
      wsConnected: this.heads?.wsConnected ?? false,
      missingMethods: [...this.api.missing],
      follower: this.follower?.status(),
    }
  }

  async stop(): Promise<void> {
    this.controller.abort()
    await this.follower?.stop()
    await this.heads?.stop()
    await this.server?.stop()
    await this.executor?.stop?.()
  }
}
