/**
 * The committer's persistent chain: committed blocks, a flat copy of the state they wrote, and
 * a head pointer, in an embedded LevelDB (classic-level). Each block is committed in ONE atomic,
 * fsynced batch (block record + hash index + state writes + head), so a process killed at any
 * instant leaves either the whole block or none of it, and a restart resumes at the head with
 * nothing lost or repeated.
 *
 * Keys (utf8): `head` -> {number, hash}; `b:<16 hex digits of number>` -> block JSON;
 * `h:<hash>` -> number; `s:<StateKey>` -> 0x value. Zero-padded numbers keep iteration ordered.
 */
import { ClassicLevel } from 'classic-level'
import { ParadagError } from '../src/common/index.js'
import type { ParadagErrorOptions } from '../src/common/index.js'

/** Any JSON value (bigints must be converted by the caller, e.g. to 0x hex strings). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** One committed block as stored. */
export interface StoredBlock {
  number: bigint
  /** 0x hex block hash. */
  hash: string
  /** 0x hex parent hash; must equal the head's hash when a head exists. */
  parentHash: string
  header: JsonValue
  receipts: JsonValue
  /** State written by the block: StateKey -> 0x value, or null when the key was deleted. */
  stateDiff: Record<string, string | null>
  /** Anything else worth keeping (e.g. the per-block timeline). */
  meta?: JsonValue
}

/** The last committed block. */
export interface ChainHead {
  number: bigint
  hash: string
}

export type ChainStoreErrorCode = 'CHAIN_STORE_GAP' | 'CHAIN_STORE_CONFLICT' | 'CHAIN_STORE_CLOSED' | 'CHAIN_STORE_CORRUPT' | 'CHAIN_STORE_INVALID'

/** A chain store refusal or defect. */
export class ChainStoreError extends ParadagError {
  override name = 'ChainStoreError'
  declare readonly code: ChainStoreErrorCode
  constructor(code: ChainStoreErrorCode, message: string, options?: ParadagErrorOptions) {
    super(code, message, options)
  }
}

export interface ChainStoreOptions {
  /** Directory of the database (created if missing). */
  path: string
  /** fsync each commit (default true: a commit survives power loss, not just a killed process). */
  sync?: boolean
}

/** What putBlock did: wrote a new block, or found the identical block already committed. */
export type PutResult = 'written' | 'duplicate'

interface StoredBlockJson {
  number: string
  hash: string
  parentHash: string
  header: JsonValue
  receipts: JsonValue
  stateDiff: Record<string, string | null>
  meta?: JsonValue
}

const HEX_RE = /^0x[0-9a-f]*$/
const blockKey = (n: bigint): string => `b:${n.toString(16).padStart(16, '0')}`

/** A classic-level backed store of committed blocks with a head pointer. */
export class ChainStore {
  private readonly db: ClassicLevel<string, string>
  private readonly sync: boolean
  private cachedHead: ChainHead | undefined
  private opened = false
  // Commits are serialised so that two concurrent putBlock calls cannot both extend one head.
  private tail: Promise<unknown> = Promise.resolve()

  constructor(options: ChainStoreOptions) {
    this.db = new ClassicLevel<string, string>(options.path, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    this.sync = options.sync ?? true
  }

  /** Opens the database and loads the head. */
  async open(): Promise<void> {
    if (this.opened) return
    await this.db.open()
    this.opened = true
    const raw = await this.db.get('head')
    this.cachedHead = raw === undefined ? undefined : parseHead(raw)
    if (this.cachedHead !== undefined && (await this.db.get(blockKey(this.cachedHead.number))) === undefined) {
      throw new ChainStoreError('CHAIN_STORE_CORRUPT', `head points at block ${this.cachedHead.number} which is not stored`)
    }
  }

  /** Closes the database (releases the LevelDB lock). */
  async close(): Promise<void> {
    if (!this.opened) return
    this.opened = false
    await this.tail.catch(() => undefined)
    await this.db.close()
  }

  /** The last committed block, or undefined for an empty chain. */
  head(): ChainHead | undefined {
    this.assertOpen()
    return this.cachedHead === undefined ? undefined : { ...this.cachedHead }
  }

  /**
   * Commits the next block atomically. The first block may have any number; later ones must be
   * head + 1 with parentHash = head hash. Re-committing the head block is a no-op ('duplicate');
   * a different block at a committed height is CHAIN_STORE_CONFLICT; a skipped height is
   * CHAIN_STORE_GAP.
   */
  putBlock(block: StoredBlock): Promise<PutResult> {
    const run = this.tail.then(
      () => this.commit(block),
      () => this.commit(block),
    )
    this.tail = run.catch(() => undefined)
    return run
  }

  /** The block at `number`, if committed. */
  async getBlock(number: bigint): Promise<StoredBlock | undefined> {
    this.assertOpen()
    const raw = await this.db.get(blockKey(number))
    return raw === undefined ? undefined : parseBlock(raw)
  }

  /** The number of the block with this hash, if committed. */
  async getBlockNumber(hash: string): Promise<bigint | undefined> {
    this.assertOpen()
    const raw = await this.db.get(`h:${hash.toLowerCase()}`)
    return raw === undefined ? undefined : BigInt(raw)
  }

  /** The latest committed value of a state key (undefined when never written or deleted). */
  async getState(key: string): Promise<string | undefined> {
    this.assertOpen()
    return this.db.get(`s:${key}`)
  }

  /** Committed blocks with from <= number <= to, ascending. */
  async *blocks(from = 0n, to?: bigint): AsyncGenerator<StoredBlock> {
    this.assertOpen()
    const range = to === undefined ? { gte: blockKey(from), lt: 'b;' } : { gte: blockKey(from), lte: blockKey(to) }
    for await (const [, value] of this.db.iterator(range)) yield parseBlock(value)
  }

  private async commit(block: StoredBlock): Promise<PutResult> {
    this.assertOpen()
    validate(block)
    const head = this.cachedHead
    if (head !== undefined && block.number <= head.number) {
      const existing = await this.getBlock(block.number)
      if (existing !== undefined && existing.hash === block.hash.toLowerCase()) return 'duplicate'
      throw new ChainStoreError('CHAIN_STORE_CONFLICT', `block ${block.number} is already committed with another hash`, {
        details: { number: block.number.toString(), stored: existing?.hash, offered: block.hash },
      })
    }
    if (head !== undefined) {
      if (block.number !== head.number + 1n) {
        throw new ChainStoreError('CHAIN_STORE_GAP', `next block must be ${head.number + 1n}, got ${block.number}`, {
          details: { head: head.number.toString(), offered: block.number.toString() },
        })
      }
      if (block.parentHash.toLowerCase() !== head.hash) {
        throw new ChainStoreError('CHAIN_STORE_CONFLICT', `block ${block.number} does not extend the head`, {
          details: { head: head.hash, parentHash: block.parentHash },
        })
      }
    }
    const hash = block.hash.toLowerCase()
    const json: StoredBlockJson = {
      number: block.number.toString(),
      hash,
      parentHash: block.parentHash.toLowerCase(),
      header: block.header,
      receipts: block.receipts,
      stateDiff: block.stateDiff,
    }
    if (block.meta !== undefined) json.meta = block.meta
    const ops: Array<{ type: 'put'; key: string; value: string } | { type: 'del'; key: string }> = [
      { type: 'put', key: blockKey(block.number), value: JSON.stringify(json) },
      { type: 'put', key: `h:${hash}`, value: block.number.toString() },
    ]
    for (const [k, v] of Object.entries(block.stateDiff)) {
      ops.push(v === null ? { type: 'del', key: `s:${k}` } : { type: 'put', key: `s:${k}`, value: v })
    }
    const newHead: ChainHead = { number: block.number, hash }
    ops.push({ type: 'put', key: 'head', value: JSON.stringify({ number: newHead.number.toString(), hash }) })
    await this.db.batch(ops, { sync: this.sync })
    this.cachedHead = newHead
    return 'written'
  }

  private assertOpen(): void {
    if (!this.opened) throw new ChainStoreError('CHAIN_STORE_CLOSED', 'chain store is not open')
  }
}

/** Creates and opens a chain store at `options.path`. */
export async function openChainStore(options: ChainStoreOptions): Promise<ChainStore> {
  const store = new ChainStore(options)
  await store.open()
  return store
}

function validate(b: StoredBlock): void {
  if (typeof b.number !== 'bigint' || b.number < 0n || b.number >= 2n ** 64n) throw new ChainStoreError('CHAIN_STORE_INVALID', 'block number must be a u64 bigint')
  for (const [k, v] of [['hash', b.hash], ['parentHash', b.parentHash]] as const) {
    if (typeof v !== 'string' || !HEX_RE.test(v.toLowerCase())) throw new ChainStoreError('CHAIN_STORE_INVALID', `${k} must be 0x hex`)
  }
  for (const [k, v] of Object.entries(b.stateDiff)) {
    if (v !== null && (typeof v !== 'string' || !HEX_RE.test(v))) {
      throw new ChainStoreError('CHAIN_STORE_INVALID', `state value of ${k} must be lowercase 0x hex or null`)
    }
  }
}

function parseHead(raw: string): ChainHead {
  try {
    const o = JSON.parse(raw) as { number: string; hash: string }
    return { number: BigInt(o.number), hash: o.hash }
  } catch (cause) {
    throw new ChainStoreError('CHAIN_STORE_CORRUPT', 'unreadable head record', { cause })
  }
}

function parseBlock(raw: string): StoredBlock {
  try {
    const o = JSON.parse(raw) as StoredBlockJson
    const b: StoredBlock = {
      number: BigInt(o.number),
      hash: o.hash,
      parentHash: o.parentHash,
      header: o.header,
      receipts: o.receipts,
      stateDiff: o.stateDiff,
    }
    if (o.meta !== undefined) b.meta = o.meta
    return b
  } catch (cause) {
    throw new ChainStoreError('CHAIN_STORE_CORRUPT', 'unreadable block record', { cause })
  }
}
