/**
 * Roles over real libp2p nodes on 127.0.0.1: quorum acceptance, detection of Byzantine
 * sequencers and voters, unknown peers, replayed and malformed messages; plus the pure quorum
 * rule and the canonical payload hashes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { createParadagNode, generateIdentity, PROTOCOL } from '../../network/index.js'
import type { ParadagNode } from '../../network/index.js'
import { RemoteExecutor } from '../../network/remote-executor.js'
import { ExecutionService, tamper } from '../../network/roles/execution-service.js'
import type { ByzantineMode } from '../../network/roles/execution-service.js'
import { decide, quorumSize } from '../../network/roles/quorum.js'
import { canonicalJson, decodePackagePayload, encodeResultPayload, hashHex, packageHash, resultHash } from '../../network/roles/wire.js'
import { createInProcessExecutor, runPackage } from '../../src/group-exec/index.js'
import { comparable, makePackage } from '../group-exec/executor-suite.js'
import { get, makeFixture, rejectsWithCode, startNodes, stopAll } from './helpers.js'
import type { Fixture } from './helpers.js'
import { TWO_GROUPS } from './roles-fixtures.js'

describe('quorum rule', () => {
  it('needs ⌈2V/3⌉ voters', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(quorumSize), [0, 1, 2, 2, 3, 4, 4])
  })

  it('accepts exactly when enough honest voters signed the sequencer’s hash (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.array(fc.constantFrom('H', 'X', 'none', 'bad'), { minLength: 7, maxLength: 7 }), (v, kinds) => {
        const voters = Array.from({ length: v }, (_, i) => `v${i}`)
        const votes = new Map<string, string>()
        const bad = new Set<string>()
        voters.forEach((name, i) => {
          const k = kinds[i]!
          if (k === 'H' || k === 'X') votes.set(name, k)
          if (k === 'bad') bad.add(name)
        })
        const d = decide({ resultHash: 'H', resultEquivocated: false, failed: false, votes, badVoters: bad }, voters)
        const agree = voters.filter((n) => votes.get(n) === 'H').length
        const against = voters.filter((n) => bad.has(n) || votes.get(n) === 'X').length
        if (agree >= quorumSize(v)) assert.equal(d.state, 'accept')
        else if (against > v - quorumSize(v)) assert.equal(d.state, 'reject')
        else assert.equal(d.state, 'pending')
      }),
    )
  })

  it('never accepts an equivocating or failed sequencer, whatever the votes', () => {
    const votes = new Map([['a', 'H'], ['b', 'H']])
    assert.equal(decide({ resultHash: 'H', resultEquivocated: true, failed: false, votes, badVoters: new Set() }, ['a', 'b']).state, 'reject')
    assert.equal(decide({ resultEquivocated: false, failed: true, votes, badVoters: new Set() }, ['a', 'b']).state, 'reject')
    assert.equal(decide({ resultEquivocated: false, failed: false, votes, badVoters: new Set() }, ['a', 'b']).state, 'pending')
  })
})

describe('canonical payloads', () => {
  it('hashes do not depend on key order and change with any receipt field', async () => {
    const { pkg } = await makePackage(3, 4)
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v
    const shuffled = reverse(pkg) as typeof pkg
    assert.notEqual(JSON.stringify(shuffled), JSON.stringify(pkg))
    assert.equal(hashHex(packageHash(shuffled)), hashHex(packageHash(pkg)))
    const r = await runPackage(pkg, { executorId: 'a' })
    const later = { ...r, executorId: 'b', startedAt: r.startedAt + 5, finishedAt: r.finishedAt + 9 }
    assert.equal(hashHex(resultHash(later)), hashHex(resultHash(r)), 'who and when are not part of the claim')
    assert.notEqual(hashHex(resultHash(tamper(r))), hashHex(resultHash(r)))
    const noLog = JSON.parse(JSON.stringify(r)) as typeof r
    const withLogs = noLog.results.find((t) => (t.receipt?.logs.length ?? 0) > 0)
    assert.ok(withLogs !== undefined)
    withLogs.receipt!.logs[0]![2] = '0x01'
    assert.notEqual(hashHex(resultHash(noLog)), hashHex(resultHash(r)))
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}')
  })

  it('rejects malformed package payloads with NETWORK_MALFORMED', () => {
    for (const bad of ['not json', '[]', '{"kind":"work"}', '{"kind":"nope"}', '{"kind":"committed","blockNumber":"x"}']) {
      assert.throws(() => decodePackagePayload(new TextEncoder().encode(bad)), (e: { code?: string }) => e.code === 'NETWORK_MALFORMED')
    }
  })
})

interface Net {
  fixture: Fixture
  nodes: Map<string, ParadagNode>
  services: ExecutionService[]
  remote: RemoteExecutor
}

async function startNet(byzantine: Record<string, ByzantineMode> = {}, timeoutMs = 3000): Promise<Net> {
  const fixture = await makeFixture(TWO_GROUPS)
  const nodes = await startNodes(fixture, TWO_GROUPS.map((s) => s.name))
  const services = TWO_GROUPS.filter((s) => s.role !== 'committer').map(
    (s) => new ExecutionService({ node: get(nodes, s.name), ...(byzantine[s.name] !== undefined ? { byzantine: byzantine[s.name]! } : {}) }),
  )
  for (const s of services) await s.start()
  const remote = new RemoteExecutor({ node: get(nodes, 'committer'), timeoutMs, localFallback: createInProcessExecutor('committer-local') })
  await remote.start()
  return { fixture, nodes, services, remote }
}

async function stopNet(n: Net): Promise<void> {
  await n.remote.stop()
  for (const s of n.services) await s.stop()
  await stopAll(n.nodes)
}

describe('Byzantine execution nodes', { timeout: 120_000 }, () => {
  for (const mode of ['wrong-result', 'bad-signature', 'equivocation'] as const) {
    it(`a ${mode} sequencer in every group is detected and never accepted; the result is still right`, async () => {
      const net = await startNet({ 'seq-0': mode, 'seq-1': mode })
      try {
        const accepted: string[] = []
        const { pkg } = await makePackage(31, 6)
        const attempts: string[] = []
        const remote = new RemoteExecutor({
          node: get(net.nodes, 'committer'),
          collector: net.remote.collector,
          timeoutMs: 3000,
          localFallback: createInProcessExecutor('committer-local'),
          serveState: false,
          onAttempt: (a) => {
            attempts.push(`${a.target}:${a.outcome}`)
            if (a.accepted !== undefined) accepted.push(a.accepted.sequencer)
          },
        })
        await remote.start()
        const got = await remote.execute(pkg)
        assert.deepEqual(comparable(got), comparable(await runPackage(pkg, { executorId: 'ref' })))
        assert.deepEqual(accepted, [], 'no result of a Byzantine sequencer was accepted')
        assert.deepEqual(attempts.at(-1), 'local:accepted')
        const faulty = new Set(net.remote.collector.faults().filter((f) => f.kind !== 'timeout').map((f) => f.node))
        assert.ok(faulty.has('seq-0') && faulty.has('seq-1'), `both detected: ${[...faulty].join(',')}`)
      } finally {
        await stopNet(net)
      }
    })
  }

  it('a lying voter is outvoted only when the quorum allows it, and is reported', async () => {
    const net = await startNet({ 'voter-0a': 'wrong-result' })
    try {
      const { pkg } = await makePackage(41, 5)
      // V = 2 needs both votes: group 0 cannot accept; group 1 does.
      const got = await net.remote.execute({ ...pkg, group: 0 })
      assert.deepEqual(comparable(got), comparable(await runPackage(pkg, { executorId: 'ref' })))
      assert.equal(got.executorId, 'seq-1')
      assert.ok(net.remote.collector.faults().some((f) => f.node === 'seq-0' || f.node === 'voter-0a'))
    } finally {
      await stopNet(net)
    }
  })
})

describe('untrusted input', { timeout: 60_000 }, () => {
  let net: Net
  before(async () => {
    net = await startNet()
  })
  after(async () => {
    await stopNet(net)
  })

  it('an unknown peer cannot connect, let alone get a result accepted', async () => {
    const stranger = await generateIdentity()
    // A node needs membership to exist: give the stranger a membership that names itself only.
    const own = await makeFixture([{ name: 'seq-0', role: 'sequencer', group: 0 }])
    const fake = await createParadagNode({ identity: own.identities.get('seq-0')!, membership: own.membership })
    await fake.start()
    try {
      await fake.libp2p.peerStore.merge(get(net.nodes, 'committer').peerId, { multiaddrs: get(net.nodes, 'committer').getMultiaddrs() })
      const stream = fake.libp2p.dialProtocol(get(net.nodes, 'committer').peerId, PROTOCOL.result, { signal: AbortSignal.timeout(3000) })
      await assert.rejects(stream)
      assert.ok(stranger.peerId.toString() !== get(net.nodes, 'committer').peerId.toString())
    } finally {
      await fake.stop()
    }
    const { pkg } = await makePackage(51, 3)
    const got = await net.remote.execute(pkg)
    assert.deepEqual(comparable(got), comparable(await runPackage(pkg, { executorId: 'ref' })))
  })

  it('a replayed vote is rejected and counted once', async () => {
    const voter = get(net.nodes, 'voter-1a')
    const frame = await voter.signer.encode({
      type: 'vote',
      blockNumber: 1n,
      payload: (await import('../../network/index.js')).encodeVote({ resultHash: new Uint8Array(32).fill(7), packageHash: new Uint8Array(32).fill(9), blockNumber: 1n }),
    })
    await voter.requestRaw('committer', 'vote', frame)
    await rejectsWithCode(voter.requestRaw('committer', 'vote', frame), 'NETWORK_REPLAY')
    assert.ok((get(net.nodes, 'committer').stats().rejected.NETWORK_REPLAY ?? 0) >= 1)
  })

  it('malformed results and packages are refused with a code and the nodes keep serving', async () => {
    const seq = get(net.nodes, 'seq-1')
    await rejectsWithCode(seq.sendResult('committer', { blockNumber: 1n, payload: new TextEncoder().encode('{"kind":"result"}') }), 'NETWORK_MALFORMED')
    await rejectsWithCode(seq.sendResult('committer', { blockNumber: 1n, payload: new Uint8Array([0xff, 0x00]) }), 'NETWORK_MALFORMED')
    const bogus = encodeResultPayload({ kind: 'result', packageHash: `0x${'00'.repeat(32)}`, result: { packageId: 'x', executorId: 'y', startedAt: 0, finishedAt: 0, results: [{ index: 'nope' }] } } as never)
    await rejectsWithCode(seq.sendResult('committer', { blockNumber: 1n, payload: bogus }), 'NETWORK_MALFORMED')
    const committer = get(net.nodes, 'committer')
    await rejectsWithCode(committer.sendPackage('seq-0', { blockNumber: 1n, payload: new TextEncoder().encode('{"kind":"work","pkg":{}}') }), 'NETWORK_MALFORMED')
    const { pkg } = await makePackage(61, 3)
    const got = await net.remote.execute(pkg)
    assert.deepEqual(comparable(got), comparable(await runPackage(pkg, { executorId: 'ref' })))
  })
})
