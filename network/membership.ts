/**
 * The membership config: every node of a deployment, its peer id, role, execution group and
 * addresses. Only these peers may connect, and every claim is checked against it. File format
 * (JSON), a map from node name to member:
 *
 * ```json
 * { "seq-0": { "peerId": "12D3Koo...", "role": "sequencer", "group": 0, "addrs": ["/ip4/10.0.0.2/tcp/4001"] } }
 * ```
 *
 * Sequencers and voters must name a group; construction and committer nodes must not. A group
 * with voters has exactly one sequencer.
 */
import { readFile } from 'node:fs/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerId, PublicKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { toString } from 'uint8arrays'
import { ROLES } from './constants.js'
import type { Role } from './constants.js'
import { MembershipError } from './errors.js'

/** One member as written in the config file. */
export interface MemberConfig {
  peerId: string
  role: Role
  group?: number
  addrs: string[]
}

/** The config file: node name -> member. */
export type MembershipConfig = Record<string, MemberConfig>

/** A validated member with its parsed peer id and public key. */
export interface Member {
  readonly name: string
  readonly peerId: PeerId
  readonly publicKey: PublicKey
  readonly role: Role
  readonly group: number | undefined
  readonly addrs: readonly Multiaddr[]
}

/** An execution group: one sequencer and its voters. */
export interface ExecutionGroup {
  readonly group: number
  readonly sequencer: Member
  readonly voters: readonly Member[]
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Validated, indexed membership (immutable). */
export class Membership {
  readonly members: readonly Member[]
  private readonly byNameMap = new Map<string, Member>()
  private readonly byPeerMap = new Map<string, Member>()
  /** Keyed by the hex of the peer id's multihash bytes, as they appear on the wire. */
  private readonly byPeerBytes = new Map<string, Member>()

  private constructor(members: Member[]) {
    this.members = members
    for (const m of members) {
      this.byNameMap.set(m.name, m)
      this.byPeerMap.set(m.peerId.toString(), m)
      this.byPeerBytes.set(toString(m.peerId.toMultihash().bytes, 'base16'), m)
    }
  }

  /** Validates a parsed config object; throws MEMBERSHIP_INVALID with `details.path`. */
  static fromConfig(config: unknown): Membership {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw invalid('$', 'membership must be a JSON object mapping node names to members')
    }
    const members: Member[] = []
    const seen = new Map<string, string>()
    for (const [name, raw] of Object.entries(config as Record<string, unknown>)) {
      const at = `$.${name}`
      if (!NAME_RE.test(name)) throw invalid(at, `node name "${name}" must match ${NAME_RE.source}`)
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(at, 'member must be an object')
      const r = raw as Record<string, unknown>
      for (const k of Object.keys(r)) {
        if (!['peerId', 'role', 'group', 'addrs'].includes(k)) throw invalid(`${at}.${k}`, `unknown field "${k}"`)
      }
      if (typeof r.peerId !== 'string') throw invalid(`${at}.peerId`, 'peerId must be a string')
      let peerId: PeerId
      try {
        peerId = peerIdFromString(r.peerId)
      } catch (cause) {
        throw invalid(`${at}.peerId`, `"${r.peerId}" is not a peer id`, cause)
      }
      if (peerId.type !== 'Ed25519' || peerId.publicKey === undefined) {
        throw invalid(`${at}.peerId`, 'peer id must be of an Ed25519 key')
      }
      const dup = seen.get(peerId.toString())
      if (dup !== undefined) throw invalid(`${at}.peerId`, `peer id already used by "${dup}"`)
      seen.set(peerId.toString(), name)
      if (typeof r.role !== 'string' || !(ROLES as readonly string[]).includes(r.role)) {
        throw invalid(`${at}.role`, `role must be one of ${ROLES.join(', ')}`)
      }
      const role = r.role as Role
      let group: number | undefined
      if (role === 'sequencer' || role === 'voter') {
        if (typeof r.group !== 'number' || !Number.isSafeInteger(r.group) || r.group < 0) {
          throw invalid(`${at}.group`, `a ${role} needs a group (a non-negative integer)`)
        }
        group = r.group
      } else if (r.group !== undefined) {
        throw invalid(`${at}.group`, `a ${role} belongs to no group`)
      }
      const addrsRaw = r.addrs ?? []
      if (!Array.isArray(addrsRaw)) throw invalid(`${at}.addrs`, 'addrs must be an array of multiaddr strings')
      const addrs: Multiaddr[] = addrsRaw.map((a, i) => {
        if (typeof a !== 'string') throw invalid(`${at}.addrs[${i}]`, 'multiaddr must be a string')
        try {
          return multiaddr(a)
        } catch (cause) {
          throw invalid(`${at}.addrs[${i}]`, `"${a}" is not a multiaddr`, cause)
        }
      })
      members.push({ name, peerId, publicKey: peerId.publicKey, role, group, addrs })
    }
    if (members.length === 0) throw invalid('$', 'membership lists no nodes')
    const m = new Membership(members)
    for (const g of m.groupIds()) {
      const seqs = members.filter((x) => x.group === g && x.role === 'sequencer')
      if (seqs.length !== 1) throw invalid('$', `group ${g} must have exactly one sequencer (has ${seqs.length})`)
    }
    return m
  }

  /** Looks a member up by node name. */
  byName(name: string): Member | undefined {
    return this.byNameMap.get(name)
  }

  /** Looks a member up by peer id (object or string). */
  byPeerId(peerId: PeerId | string): Member | undefined {
    return this.byPeerMap.get(typeof peerId === 'string' ? peerId : peerId.toString())
  }

  /** Looks a member up by the multihash bytes of its peer id (the envelope's author field). */
  byPeerIdBytes(bytes: Uint8Array): Member | undefined {
    return this.byPeerBytes.get(toString(bytes, 'base16'))
  }

  /** True when the peer is a member. */
  has(peerId: PeerId | string): boolean {
    return this.byPeerId(peerId) !== undefined
  }

  /** Members with the given role, in config order. */
  withRole(role: Role): Member[] {
    return this.members.filter((m) => m.role === role)
  }

  /** Ids of the execution groups, ascending. */
  groupIds(): number[] {
    const ids = new Set<number>()
    for (const m of this.members) if (m.group !== undefined) ids.add(m.group)
    return [...ids].sort((a, b) => a - b)
  }

  /** The execution groups (sequencer + voters), by ascending id. */
  groups(): ExecutionGroup[] {
    return this.groupIds().map((group) => {
      const inGroup = this.members.filter((m) => m.group === group)
      const sequencer = inGroup.find((m) => m.role === 'sequencer')
      if (sequencer === undefined) throw new MembershipError('MEMBERSHIP_INVALID', `group ${group} has no sequencer`)
      return { group, sequencer, voters: inGroup.filter((m) => m.role === 'voter') }
    })
  }

  /** The config object this membership was built from (for writing a file). */
  toConfig(): MembershipConfig {
    const out: MembershipConfig = {}
    for (const m of this.members) {
      const c: MemberConfig = { peerId: m.peerId.toString(), role: m.role, addrs: m.addrs.map((a) => a.toString()) }
      if (m.group !== undefined) c.group = m.group
      out[m.name] = c
    }
    return out
  }
}

/** Reads and validates a membership JSON file. */
export async function loadMembership(path: string): Promise<Membership> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'MEMBERSHIP_NOT_FOUND' : 'MEMBERSHIP_INVALID'
    throw new MembershipError(code, `membership file ${path} cannot be read`, { details: { file: path }, cause })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new MembershipError('MEMBERSHIP_INVALID', `membership file ${path} is not JSON`, { details: { file: path, path: '$' }, cause })
  }
  try {
    return Membership.fromConfig(parsed)
  } catch (err) {
    if (err instanceof MembershipError) {
      throw new MembershipError(err.code, `membership file ${path}: ${err.message}`, { details: { ...err.details, file: path }, cause: err })
    }
    throw err
  }
}

function invalid(path: string, message: string, cause?: unknown): MembershipError {
  return new MembershipError('MEMBERSHIP_INVALID', `${path}: ${message}`, cause === undefined ? { details: { path } } : { details: { path }, cause })
}
