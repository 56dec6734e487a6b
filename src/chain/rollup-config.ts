/**
 * The rollup config (op-node `rollup.json` shape, as in kona's fixtures) and the OP fork schedule
 * derived from its activation timestamps. A later fork implies every earlier one (as in kona and
 * op-geth), so a config that omits `regolith_time` but sets `canyon_time` still has Regolith.
 */
import { ChainError } from './errors.js'

/** OP forks in activation order. */
export const OP_FORKS = [
  'regolith',
  'canyon',
  'delta',
  'ecotone',
  'fjord',
  'granite',
  'holocene',
  'isthmus',
  'jovian',
] as const
export type OpFork = (typeof OP_FORKS)[number]

/** Time keys that are not execution forks (op-node-only schedules); they never block execution. */
const NON_EXECUTION_TIME_KEYS = new Set(['pectra_blob_schedule_time', 'l2_time', 'block_time'])

/** The EIP-1559 defaults of the chain (`chain_op_config`). */
export interface BaseFeeConfig {
  eip1559Elasticity: bigint
  eip1559Denominator: bigint
  eip1559DenominatorCanyon: bigint
}

/** The parts of the rollup config that execution needs. */
export interface RollupConfig {
  l2ChainId: bigint
  /** Activation timestamp per fork (undefined = not scheduled). */
  forkTimes: Partial<Record<OpFork, bigint>>
  /** Forks in the config that this code does not know: name -> activation time. */
  unknownForkTimes: Record<string, bigint>
  baseFee: BaseFeeConfig
  /** The raw JSON, for reports. */
  raw: Record<string, unknown>
}

/** Which OP forks are active at one timestamp. */
export type OpForkFlags = Record<OpFork, boolean>

function toBig(v: unknown, field: string): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v)
  throw new ChainError('CHAIN_INVALID_FIELD', `rollup config field ${field} is not a non-negative integer: ${JSON.stringify(v)}`, {
    details: { field },
  })
}

/** Parses a rollup config JSON object; missing required fields raise CHAIN_MISSING_FIELD. */
export function parseRollupConfig(json: unknown): RollupConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ChainError('CHAIN_INVALID_FIELD', 'rollup config is not an object', { details: { field: 'rollupConfig' } })
  }
  const raw = json as Record<string, unknown>
  const chainIdRaw = raw['l2_chain_id'] ?? raw['l2ChainId'] ?? raw['l2ChainID']
  if (chainIdRaw === undefined) {
    throw new ChainError('CHAIN_MISSING_FIELD', 'rollup config has no l2_chain_id', { details: { field: 'rollupConfig.l2_chain_id' } })
  }
  const forkTimes: Partial<Record<OpFork, bigint>> = {}
  const unknownForkTimes: Record<string, bigint> = {}
  const known = new Set<string>(OP_FORKS)
  for (const [key, value] of Object.entries(raw)) {
    const snake = key.replace(/([A-Z])/g, '_$1').toLowerCase()
    if (!snake.endsWith('_time') || NON_EXECUTION_TIME_KEYS.has(snake)) continue
    if (value === null || value === undefined) continue
    const name = snake.slice(0, -'_time'.length)
    const t = toBig(value, `rollupConfig.${key}`)
    if (known.has(name)) forkTimes[name as OpFork] = t
    else unknownForkTimes[name] = t
  }
  const op = (raw['chain_op_config'] ?? raw['chainOpConfig']) as Record<string, unknown> | undefined
  // Defaults of op-node for chains without chain_op_config (OP mainnet / Sepolia values).
  const baseFee: BaseFeeConfig = {
    eip1559Elasticity: op?.['eip1559Elasticity'] !== undefined ? toBig(op['eip1559Elasticity'], 'chain_op_config.eip1559Elasticity') : 6n,
    eip1559Denominator: op?.['eip1559Denominator'] !== undefined ? toBig(op['eip1559Denominator'], 'chain_op_config.eip1559Denominator') : 50n,
    eip1559DenominatorCanyon:
      op?.['eip1559DenominatorCanyon'] !== undefined ? toBig(op['eip1559DenominatorCanyon'], 'chain_op_config.eip1559DenominatorCanyon') : 250n,
  }
  return { l2ChainId: toBig(chainIdRaw, 'rollupConfig.l2_chain_id'), forkTimes, unknownForkTimes, baseFee, raw }
}

/** The OP forks active at `timestamp`; an active fork implies all earlier ones. */
export function activeForks(config: RollupConfig, timestamp: bigint): OpForkFlags {
  const flags = {} as OpForkFlags
  let later = false
  for (let i = OP_FORKS.length - 1; i >= 0; i--) {
    const fork = OP_FORKS[i] as OpFork
    const t = config.forkTimes[fork]
    later = later || (t !== undefined && timestamp >= t)
    flags[fork] = later
  }
  return flags
}

/** Throws CHAIN_UNKNOWN_FORK when a fork this code does not know is active at `timestamp`. */
export function assertKnownForks(config: RollupConfig, timestamp: bigint): void {
  for (const [name, t] of Object.entries(config.unknownForkTimes)) {
    if (timestamp >= t) {
      throw new ChainError('CHAIN_UNKNOWN_FORK', `fork '${name}' is active at timestamp ${timestamp} but is not supported`, {
        details: { fork: name, activation: t.toString(), timestamp: timestamp.toString() },
      })
    }
  }
}

/** True when `fork` is active at `timestamp` but not at the parent's timestamp (the fork's first block). */
export function isActivationBlock(config: RollupConfig, fork: OpFork, timestamp: bigint, parentTimestamp: bigint): boolean {
  return activeForks(config, timestamp)[fork] && !activeForks(config, parentTimestamp)[fork]
}

/** The latest active fork at `timestamp`, or 'bedrock' when none is. */
export function latestFork(flags: OpForkFlags): OpFork | 'bedrock' {
  for (let i = OP_FORKS.length - 1; i >= 0; i--) if (flags[OP_FORKS[i] as OpFork]) return OP_FORKS[i] as OpFork
  return 'bedrock'
}
