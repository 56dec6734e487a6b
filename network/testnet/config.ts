/**
 * Node and testnet configuration files. A node config names the node, its key file, the
 * membership file, where to listen, and what its role needs (the chain for construction and
 * committer nodes, a data directory for the committer, fault injection for tests):
 *
 * ```json
 * { "name": "seq-0", "role": "sequencer", "keyFile": "keys/seq-0.key", "membership": "membership.json",
 *   "listen": ["/ip4/0.0.0.0/tcp/4001"], "committer": "committer",
 *   "chain": { "workload": "mixed", "txs": 200, "blocks": 5, "seed": 1 } }
 * ```
 *
 * Relative paths are resolved against the config file's directory.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { ROLES } from '../constants.js'
import type { Role } from '../constants.js'
import { generateIdentity, writeIdentity } from '../identity.js'
import { Membership } from '../membership.js'
import type { MembershipConfig } from '../membership.js'
import { BYZANTINE_MODES } from '../roles/execution-service.js'
import type { ByzantineMode } from '../roles/execution-service.js'
import { RoleError } from '../roles/errors.js'

/** The chain a testnet runs: a generated workload split into blocks. */
export interface ChainConfig {
  workload: string
  /** Transactions per block. */
  txs: number
  blocks: number
  seed: number
  /** Accounts of the workload (default: the generator's). */
  accounts?: number
}

/** One node's configuration file. */
export interface NodeConfig {
  name: string
  role: Role
  keyFile: string
  membership: string
  listen: string[]
  /** Name of the committer (default: the only committer in the membership). */
  committer?: string
  chain?: ChainConfig
  /** Committer: directory of its chain store. */
  dataDir?: string
  /** Committer: time a group has to reach a quorum on a package (ms). */
  groupTimeoutMs?: number
  /** Construction: re-send a block's plan when it is not committed within this time (ms). */
  commitTimeoutMs?: number
  /** Execution nodes: misbehave (tests). */
  byzantine?: ByzantineMode
  /** Execution nodes: delay every answer (ms). */
  delayMs?: number
}

/** Reads and validates a node config; paths become absolute. */
export async function loadNodeConfig(path: string): Promise<NodeConfig> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch (cause) {
    throw new RoleError('ROLE_BAD_CONFIG', `node config ${path} cannot be read as JSON`, { cause, details: { path } })
  }
  const c = raw as Partial<NodeConfig>
  const bad = (what: string): never => {
    throw new RoleError('ROLE_BAD_CONFIG', `node config ${path}: ${what}`, { details: { path } })
  }
  if (typeof c !== 'object' || c === null) bad('not an object')
  if (typeof c.name !== 'string') bad('name must be a string')
  if (typeof c.role !== 'string' || !(ROLES as readonly string[]).includes(c.role)) bad(`role must be one of ${ROLES.join(', ')}`)
  if (typeof c.keyFile !== 'string' || typeof c.membership !== 'string') bad('keyFile and membership must be paths')
  if (!Array.isArray(c.listen) || !c.listen.every((a) => typeof a === 'string')) bad('listen must be an array of multiaddrs')
  if (c.byzantine !== undefined && !(BYZANTINE_MODES as readonly string[]).includes(c.byzantine)) bad(`byzantine must be one of ${BYZANTINE_MODES.join(', ')}`)
  if ((c.role === 'construction' || c.role === 'committer') && c.chain === undefined) bad(`a ${c.role} needs a chain`)
  if (c.role === 'committer' && typeof c.dataDir !== 'string') bad('a committer needs a dataDir')
  const base = dirname(resolve(path))
  const abs = (p: string): string => (isAbsolute(p) ? p : join(base, p))
  const out = { ...(c as NodeConfig), keyFile: abs(c.keyFile!), membership: abs(c.membership!) }
  if (out.dataDir !== undefined) out.dataDir = abs(out.dataDir)
  return out
}

/** The shape of a local testnet. */
export interface TestnetLayout {
  construction: number
  groups: number
  voters: number
  chain: ChainConfig
  groupTimeoutMs?: number
  byzantine?: Record<string, ByzantineMode>
  delays?: Record<string, number>
}

/** Files of a generated testnet. */
export interface TestnetFiles {
  dir: string
  membershipPath: string
  membership: Membership
  /** Node name -> config file path. */
  configs: Map<string, string>
  /** Node name -> role. */
  roles: Map<string, Role>
}

/** Node names of a layout, in start order: execution groups, committer, construction. */
export function layoutNodes(l: Pick<TestnetLayout, 'construction' | 'groups' | 'voters'>): Array<{ name: string; role: Role; group?: number }> {
  const out: Array<{ name: string; role: Role; group?: number }> = []
  for (let g = 0; g < l.groups; g++) {
    out.push({ name: `seq-${g}`, role: 'sequencer', group: g })
    for (let v = 0; v < l.voters; v++) out.push({ name: `voter-${g}${String.fromCharCode(97 + v)}`, role: 'voter', group: g })
  }
  out.push({ name: 'committer', role: 'committer' })
  for (let c = 0; c < l.construction; c++) out.push({ name: `construction-${c}`, role: 'construction' })
  return out
}

/** A free TCP port on 127.0.0.1 (bound and released; the node binds it again right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      srv.close(() => resolvePort(port))
    })
  })
}

/** Generates identities, a membership with loopback addresses, and one config per node. */
export async function writeTestnetFiles(dir: string, layout: TestnetLayout): Promise<TestnetFiles> {
  await mkdir(join(dir, 'keys'), { recursive: true })
  const nodes = layoutNodes(layout)
  const config: MembershipConfig = {}
  const ports = new Map<string, number>()
  for (const n of nodes) {
    const id = await generateIdentity()
    await writeIdentity(join(dir, 'keys', `${n.name}.key`), id)
    const port = await freePort()
    ports.set(n.name, port)
    config[n.name] = { peerId: id.peerId.toString(), role: n.role, addrs: [`/ip4/127.0.0.1/tcp/${port}`], ...(n.group === undefined ? {} : { group: n.group }) }
  }
  const membershipPath = join(dir, 'membership.json')
  await writeFile(membershipPath, `${JSON.stringify(config, null, 2)}\n`)
  const configs = new Map<string, string>()
  const roles = new Map<string, Role>()
  for (const n of nodes) {
    const nc: NodeConfig = {
      name: n.name,
      role: n.role,
      keyFile: `keys/${n.name}.key`,
      membership: 'membership.json',
      listen: [`/ip4/127.0.0.1/tcp/${ports.get(n.name)!}`],
      committer: 'committer',
    }
    if (n.role === 'construction' || n.role === 'committer') nc.chain = layout.chain
    if (n.role === 'committer') {
      nc.dataDir = `data/${n.name}`
      if (layout.groupTimeoutMs !== undefined) nc.groupTimeoutMs = layout.groupTimeoutMs
    }
    const byz = layout.byzantine?.[n.name]
    if (byz !== undefined) nc.byzantine = byz
    const delay = layout.delays?.[n.name]
    if (delay !== undefined) nc.delayMs = delay
    const p = join(dir, `${n.name}.json`)
    await writeFile(p, `${JSON.stringify(nc, null, 2)}\n`)
    configs.set(n.name, p)
    roles.set(n.name, n.role)
  }
  return { dir, membershipPath, membership: Membership.fromConfig(config), configs, roles }
}
