/** Shared fixtures of the network tests: identities, memberships and started real nodes. */
import { createParadagNode, generateIdentity, Membership } from '../../network/index.js'
import type { Identity, MembershipConfig, ParadagNode, ParadagNodeOptions, Role } from '../../network/index.js'

export interface NodeSpec {
  name: string
  role: Role
  group?: number
}

export interface Fixture {
  identities: Map<string, Identity>
  membership: Membership
}

/** Fresh identities and a membership for the given nodes (no addresses). */
export async function makeFixture(specs: readonly NodeSpec[]): Promise<Fixture> {
  const identities = new Map<string, Identity>()
  const config: MembershipConfig = {}
  for (const s of specs) {
    const id = await generateIdentity()
    identities.set(s.name, id)
    config[s.name] = { peerId: id.peerId.toString(), role: s.role, addrs: [], ...(s.group === undefined ? {} : { group: s.group }) }
  }
  return { identities, membership: Membership.fromConfig(config) }
}

/** Starts one real node per name on 127.0.0.1:0 and tells every node where the others are. */
export async function startNodes(
  fixture: Fixture,
  names: readonly string[],
  extra: Partial<ParadagNodeOptions> = {},
): Promise<Map<string, ParadagNode>> {
  const nodes = new Map<string, ParadagNode>()
  try {
    for (const name of names) {
      const identity = fixture.identities.get(name)
      if (identity === undefined) throw new Error(`no identity for ${name}`)
      const node = await createParadagNode({ identity, membership: fixture.membership, listen: ['/ip4/127.0.0.1/tcp/0'], ...extra })
      await node.start()
      nodes.set(name, node)
    }
    for (const a of nodes.values()) {
      for (const b of nodes.values()) if (a !== b) await a.addPeerAddrs(b.name, b.getMultiaddrs())
    }
  } catch (err) {
    await stopAll(nodes)
    throw err
  }
  return nodes
}

/** Stops every node (in parallel). */
export async function stopAll(nodes: Map<string, ParadagNode>): Promise<void> {
  await Promise.all([...nodes.values()].map((n) => n.stop()))
}

/** The node named `name`, or a failed assertion. */
export function get(nodes: Map<string, ParadagNode>, name: string): ParadagNode {
  const n = nodes.get(name)
  if (n === undefined) throw new Error(`node ${name} not started`)
  return n
}

/** Asserts that `p` rejects with a ParadagError of the given code. */
export async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await p
  } catch (err) {
    const got = (err as { code?: unknown }).code
    if (got !== code) throw new Error(`expected code ${code}, got ${String(got)}: ${(err as Error).message}`, { cause: err })
    return err
  }
  throw new Error(`expected rejection with ${code}, but it resolved`)
}

/** Asserts that `f` throws a ParadagError of the given code. */
export function throwsWithCode(f: () => unknown, code: string): unknown {
  try {
    f()
  } catch (err) {
    const got = (err as { code?: unknown }).code
    if (got !== code) throw new Error(`expected code ${code}, got ${String(got)}: ${(err as Error).message}`, { cause: err })
    return err
  }
  throw new Error(`expected throw with ${code}`)
}

export const STANDARD_SPECS: readonly NodeSpec[] = [
  { name: 'construction-0', role: 'construction' },
  { name: 'seq-0', role: 'sequencer', group: 0 },
  { name: 'voter-0a', role: 'voter', group: 0 },
  { name: 'voter-0b', role: 'voter', group: 0 },
  { name: 'committer', role: 'committer' },
]
