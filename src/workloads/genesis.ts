/**
 * Genesis/pre-state builder. Contracts are deployed and set up by executing real transactions
 * with @ethereumjs/vm on a MapStateManager (so CREATE/CREATE2 addresses and all contract state
 * are exactly what the EVM produces); bulk state that would take thousands of transactions
 * (ETH funding, ERC-20 balances and allowances) is written directly into accounts and the
 * token's mapping slots. `finish()` returns a complete StateSnapshot.
 */
import type { Common } from '@ethereumjs/common'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import type { Block } from '@ethereumjs/block'
import { Account, bigIntToUnpaddedBytes, bytesToHex, setLengthLeft } from '@ethereumjs/util'
import { MapStateManager, toAddress, type StateSnapshot } from '../state/index.js'
import { fromHex } from '../common/index.js'
import { commonForVM } from '../crypto/index.js'
import { createEnvBlock } from './env.js'
import { WorkloadError } from './errors.js'
import { deriveAccounts, type WorkloadAccount } from './keys.js'
import { ERC20_SLOTS, erc20AllowanceSlot, erc20BalanceSlot, slotHex } from './storage-layout.js'
import { TxFactory } from './tx-factory.js'
import type { BlockEnv } from './types.js'
import { u256Bytes } from '../common/index.js'

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

/** Options of `GenesisBuilder.create`. */
export interface GenesisBuilderOptions {
  /** The workload block's environment; setup runs in a block just before it. */
  env: BlockEnv
  common: Common
  seed: number
}

/** Builds a genesis state: deploy/call through the VM, bulk-write balances and slots. */
export class GenesisBuilder {
  readonly deployer: WorkloadAccount
  private deployerNonce = 0n
  private readonly supplies = new Map<string, bigint>()
  private readonly staged = new Map<string, Map<string, Uint8Array>>()

  private constructor(
    readonly state: MapStateManager,
    private readonly vm: VM,
    private readonly block: Block,
    private readonly factory: TxFactory,
    seed: number,
  ) {
    const [deployer] = deriveAccounts(seed, 'deployer', 1)
    if (deployer === undefined) throw new WorkloadError('WORKLOAD_SETUP_FAILED', 'no deployer')
    this.deployer = deployer
  }

  /** Creates a builder over an empty state. */
  static async create(opts: GenesisBuilderOptions): Promise<GenesisBuilder> {
    const keccak = opts.common.customCrypto.keccak256
    const state = new MapStateManager(keccak !== undefined ? { keccak256: keccak } : {})
    const vm = await createVM({ common: commonForVM(opts.common), stateManager: state })
    // Setup happens in the block before the workload block, paying no fees (base fee 0, zero
    // fee cap), with the zero address as fee recipient so no setup account leaks into genesis.
    const setupEnv: BlockEnv = {
      ...opts.env,
      number: opts.env.number > 0n ? opts.env.number - 1n : 0n,
      timestamp: opts.env.timestamp > 12n ? opts.env.timestamp - 12n : 0n,
      coinbase: ZERO_ADDRESS,
      baseFee: 0n,
      gasLimit: 1_000_000_000n,
    }
    const block = createEnvBlock(setupEnv, opts.common)
    return new GenesisBuilder(state, vm, block, new TxFactory(opts.common), opts.seed)
  }

  /** Sets an account's ETH balance (and nonce, when given), keeping its code and storage. */
  async fund(address: string, balance: bigint, nonce?: bigint): Promise<void> {
    const a = toAddress(address)
    const acc = (await this.state.getAccount(a)) ?? new Account()
    acc.balance = balance
    if (nonce !== undefined) acc.nonce = nonce
    await this.state.putAccount(a, acc)
  }

  private async run(to: string | undefined, data: Uint8Array, value: bigint, gasLimit: bigint): Promise<{ created?: string; returnValue: Uint8Array }> {
    const { tx } = this.factory.build({
      type: 'eip1559',
      privateKey: this.deployer.privateKey,
      nonce: this.deployerNonce,
      ...(to !== undefined ? { to } : {}),
      value,
      data,
      gasLimit,
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
    })
    if (value > 0n) {
      const acc = (await this.state.getAccount(toAddress(this.deployer.address))) ?? new Account()
      acc.balance += value
      await this.state.putAccount(toAddress(this.deployer.address), acc)
    }
    let res
    try {
      res = await runTx(this.vm, { tx, block: this.block, skipBlockGasLimitValidation: true })
    } catch (cause) {
      throw new WorkloadError('WORKLOAD_SETUP_FAILED', `setup transaction ${this.deployerNonce} was rejected`, { cause })
    }
    this.deployerNonce++
    if (res.execResult.exceptionError !== undefined) {
      throw new WorkloadError('WORKLOAD_SETUP_FAILED', `setup transaction ${this.deployerNonce - 1n} failed: ${res.execResult.exceptionError.error}`, {
        details: { to, returnValue: bytesToHex(res.execResult.returnValue) },
      })
    }
    return {
      ...(res.createdAddress !== undefined ? { created: res.createdAddress.toString() } : {}),
      returnValue: res.execResult.returnValue,
    }
  }

  /** Deploys init code from the deployer; returns the new contract's address. */
  async deploy(initCode: Uint8Array, value = 0n, gasLimit = 30_000_000n): Promise<string> {
    const r = await this.run(undefined, initCode, value, gasLimit)
    if (r.created === undefined) throw new WorkloadError('WORKLOAD_SETUP_FAILED', 'deployment created no contract')
    return r.created
  }

  /** Calls a contract from the deployer (must succeed); returns the return data. */
  async call(to: string, data: Uint8Array, value = 0n, gasLimit = 10_000_000n): Promise<Uint8Array> {
    return (await this.run(to, data, value, gasLimit)).returnValue
  }

  /** Writes a storage slot directly (value 0 clears it). */
  async setStorage(address: string, slot: string, value: bigint): Promise<void> {
    await this.state.putStorage(toAddress(address), fromHex(slot), value === 0n ? new Uint8Array(0) : u256Bytes(value))
  }

  /** Sets `balanceOf[holder]` of a ParadagToken (totalSupply is fixed up in `finish`). */
  async setErc20Balance(token: string, holder: string, amount: bigint): Promise<void> {
    const prev = await this.state.getStorage(toAddress(token), fromHex(erc20BalanceSlot(holder)))
    let p = 0n
    for (const b of prev) p = (p << 8n) | BigInt(b)
    this.supplies.set(token, (this.supplies.get(token) ?? 0n) - p + amount)
    await this.setStorage(token, erc20BalanceSlot(holder), amount)
  }

  /**
   * Stages a slot for the finished genesis only: setup transactions do not see it. For bulk
   * state (thousands of holder balances) that no setup call reads; it skips the state manager.
   */
  stageStorage(address: string, slot: string, value: bigint): void {
    let m = this.staged.get(address)
    if (m === undefined) {
      m = new Map()
      this.staged.set(address, m)
    }
    m.set(slot, bigIntToUnpaddedBytes(value))
  }

  /** Stages `balanceOf[holder] = amount` (the slot must be zero before; totalSupply is adjusted). */
  stageErc20Balance(token: string, holder: string, amount: bigint): void {
    this.supplies.set(token, (this.supplies.get(token) ?? 0n) + amount)
    this.stageStorage(token, erc20BalanceSlot(holder), amount)
  }

  /** Stages `allowance[owner][spender] = amount`. */
  stageErc20Allowance(token: string, owner: string, spender: string, amount: bigint): void {
    this.stageStorage(token, erc20AllowanceSlot(owner, spender), amount)
  }

  /** Sets `allowance[owner][spender]` of a ParadagToken. */
  async setErc20Allowance(token: string, owner: string, spender: string, amount: bigint): Promise<void> {
    await this.setStorage(token, erc20AllowanceSlot(owner, spender), amount)
  }

  /** The deployer's next nonce (used to predict CREATE addresses). */
  get nextDeployerNonce(): bigint {
    return this.deployerNonce
  }

  /**
   * The finished genesis: every account with `storageComplete` (absent slots are zero), zero
   * slots and empty accounts dropped, no storage roots (derive them from the full storage).
   */
  async finish(): Promise<StateSnapshot> {
    for (const [token, delta] of this.supplies) {
      const cur = await this.state.getStorage(toAddress(token), setLengthLeft(fromHex(slotHex(ERC20_SLOTS.totalSupply)), 32))
      let v = 0n
      for (const b of cur) v = (v << 8n) | BigInt(b)
      await this.setStorage(token, slotHex(ERC20_SLOTS.totalSupply), v + delta)
    }
    this.supplies.clear()
    for (const addr of this.staged.keys()) {
      const acc = await this.state.getAccount(toAddress(addr))
      if (acc === undefined) throw new WorkloadError('WORKLOAD_SETUP_FAILED', `staged storage for ${addr}, which does not exist`)
    }
    const out: StateSnapshot = new Map()
    const snap = this.state.toSnapshot()
    for (const addr of [...snap.keys()].sort()) {
      const a = snap.get(addr)
      if (a === undefined || a === null) continue
      const code = a.code
      const storage = new Map<string, Uint8Array>()
      for (const [k, v] of a.storage ?? []) if (v.length > 0) storage.set(k, v)
      for (const [k, v] of this.staged.get(addr) ?? []) {
        if (v.length > 0) storage.set(k, v)
        else storage.delete(k)
      }
      const hasCode = code !== undefined && code.length > 0
      if (!hasCode && a.nonce === 0n && a.balance === 0n && storage.size === 0) continue
      out.set(addr, {
        balance: a.balance,
        nonce: a.nonce,
        ...(hasCode ? { code } : {}),
        storage,
        storageComplete: true,
      })
    }
    return out
  }
}
