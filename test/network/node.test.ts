// Real libp2p nodes on 127.0.0.1 (port 0): every protocol end to end, membership gating,
// replay and malformed-input rejection, and that a node keeps serving after each rejection.
import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { lpStream } from '@libp2p/utils'
import { ParadagError } from '../../src/common/index.js'
import { balanceKey, storageKey } from '../../src/state-verification/index.js'
import {
  createParadagNode,
  ENVELOPE,
  MAX_MESSAGE_SIZE,
  PROTOCOL,
  RemoteError,
} from '../../network/index.js'
import type { Envelope, ParadagNode, RejectionEvent, Vote } from '../../network/index.js'
import { get, makeFixture, rejectsWithCode, startNodes, STANDARD_SPECS, stopAll } from './helpers.js'

const fixture = await makeFixture(STANDARD_SPECS)
let nodes: Map<string, ParadagNode>
const received = { packages: [] as Envelope[], results: [] as Envelope[], votes: [] as Array<[Vote, Envelope]> }
const rejections: RejectionEvent[] = []
const hash = (b: number) => new Uint8Array(32).fill(b)

/** Resolves with the next rejection the node reports. */
function nextRejection(node: ParadagNode): Promise<RejectionEvent> {
  return new Promise((resolve) => {
    const off = node.onRejected((e) => {
      off()
      resolve(e)
    })
  })
}

/** The committer still serves: a ping answers and a fresh signed result is accepted. */
async function assertStillServing(): Promise<void> {
  const seq = get(nodes, 'seq-0')
  const before = received.results.length
  const h = await seq.ping('committer')
  assert.equal(h.name, 'committer')
  await seq.sendResult('committer', { blockNumber: 99n, payload: Uint8Array.of(1, 2, 3) })
  assert.equal(received.results.length, before + 1)
}

before(async () => {
  nodes = await startNodes(fixture, ['construction-0', 'seq-0', 'voter-0a', 'committer'])
  const seq = get(nodes, 'seq-0')
  const committer = get(nodes, 'committer')
  const construction = get(nodes, 'construction-0')
  seq.onPackage((env) => {
    received.packages.push(env)
  })
  get(nodes, 'voter-0a').onPackage((env) => {
    received.packages.push(env)
  })
  committer.onResult((env) => {
    if (env.payload[0] === 0xee) throw new ParadagError('COMMIT_RESULT_REFUSED', 'refused on purpose')
    received.results.push(env)
  })
  committer.onVote((vote, env) => {
    received.votes.push([vote, env])
  })
  construction.onStateRequest((keys) => new Map(keys.map((k, i) => [k, i % 2 === 0 ? Uint8Array.of(i) : null])))
  committer.setHealthProvider(() => ({ status: 'ok', info: { head: 41 } }))
  committer.onRejected((e) => rejections.push(e))
})

after(async () => {
  await stopAll(nodes)
  // Stopping must release every socket: nothing may keep the test process alive.
  const open = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'))
  assert.deepEqual(open, [])
})

describe('paradag nodes over libp2p', () => {
  it('dispatches signed packages from construction to a sequencer and a voter', async () => {
    const c = get(nodes, 'construction-0')
    const payload = new TextEncoder().encode('work package bytes')
    await c.sendPackage('seq-0', { blockNumber: 5n, payload })
    await c.sendPackage('voter-0a', { blockNumber: 5n, payload })
    assert.equal(received.packages.length, 2)
    for (const env of received.packages) {
      assert.equal(env.author.name, 'construction-0')
      assert.equal(env.type, 'package')
      assert.equal(env.blockNumber, 5n)
      assert.deepEqual(env.payload, payload)
    }
  })

  it('delivers results and votes to the committer and rejects votes from a non-voter', async () => {
    await get(nodes, 'seq-0').sendResult('committer', { blockNumber: 5n, payload: Uint8Array.of(7) })
    const r = received.results.at(-1)
    assert.equal(r?.author.name, 'seq-0')
    assert.deepEqual(r?.payload, Uint8Array.of(7))
    const vote: Vote = { resultHash: hash(1), packageHash: hash(2), blockNumber: 5n }
    await get(nodes, 'voter-0a').sendVote('committer', vote)
    const [v, env] = received.votes.at(-1) ?? []
    assert.deepEqual(v, vote)
    assert.equal(env?.author.name, 'voter-0a')
    // The sequencer may not vote, and a voter may not dispatch packages.
    await rejectsWithCode(get(nodes, 'seq-0').sendVote('committer', vote), 'NETWORK_ROLE_NOT_ALLOWED')
    await rejectsWithCode(get(nodes, 'voter-0a').sendPackage('seq-0', { blockNumber: 5n, payload: Uint8Array.of(1) }), 'NETWORK_ROLE_NOT_ALLOWED')
    assert.equal(received.votes.length, 1)
  })

  it('fetches state keys through the server callback', async () => {
    const keys = [balanceKey(`0x${'11'.repeat(20)}`), storageKey(`0x${'22'.repeat(20)}`, '0x01'), balanceKey(`0x${'33'.repeat(20)}`)]
    const got = await get(nodes, 'seq-0').fetchState('construction-0', { blockNumber: 5n, keys })
    assert.deepEqual([...got.entries()], [
      [keys[0], Uint8Array.of(0)],
      [keys[1], null],
      [keys[2], Uint8Array.of(2)],
    ])
  })

  it('answers health pings with name, role, group and status', async () => {
    const h = await get(nodes, 'construction-0').ping('seq-0')
    assert.equal(h.name, 'seq-0')
    assert.equal(h.role, 'sequencer')
    assert.equal(h.group, 0)
    assert.equal(h.status, 'ok')
    assert.ok(h.rttMs >= 0)
    assert.deepEqual((await get(nodes, 'seq-0').ping('committer')).info, { head: 41 })
  })

  it('carries a handler refusal back with its code, and reports protocols nobody serves', async () => {
    const err = await rejectsWithCode(get(nodes, 'seq-0').sendResult('committer', { blockNumber: 5n, payload: Uint8Array.of(0xee) }), 'COMMIT_RESULT_REFUSED')
    assert.ok(err instanceof RemoteError)
    assert.equal(err.remotePeer, get(nodes, 'committer').peerId.toString())
    await rejectsWithCode(get(nodes, 'committer').fetchState('seq-0', { blockNumber: 1n, keys: [] }), 'NETWORK_NO_HANDLER')
    await rejectsWithCode(get(nodes, 'seq-0').ping('nobody'), 'NETWORK_UNKNOWN_PEER')
  })

  it('times out and aborts requests', async () => {
    const voter = get(nodes, 'voter-0a')
    let release = (): void => undefined
    const hung = new Promise<void>((r) => {
      release = r
    })
    voter.onPackage(() => hung)
    try {
      const c = get(nodes, 'construction-0')
      await rejectsWithCode(c.sendPackage('voter-0a', { blockNumber: 6n, payload: Uint8Array.of(1) }, { timeoutMs: 200 }), 'NETWORK_TIMEOUT')
      const ac = new AbortController()
      setTimeout(() => ac.abort(), 50)
      await rejectsWithCode(c.sendPackage('voter-0a', { blockNumber: 6n, payload: Uint8Array.of(1) }, { signal: ac.signal }), 'NETWORK_ABORTED')
    } finally {
      release()
      voter.onPackage((env) => {
        received.packages.push(env)
      })
    }
    await get(nodes, 'construction-0').sendPackage('voter-0a', { blockNumber: 6n, payload: Uint8Array.of(1) })
  })

  it('rejects a replayed message', async () => {
    const seq = get(nodes, 'seq-0')
    const frame = await seq.signer.encode({ type: 'result', blockNumber: 8n, payload: Uint8Array.of(8) })
    const before = received.results.length
    await seq.requestRaw('committer', 'result', frame)
    await rejectsWithCode(seq.requestRaw('committer', 'result', frame), 'NETWORK_REPLAY')
    assert.equal(received.results.length, before + 1)
    assert.equal(rejections.at(-1)?.code, 'NETWORK_REPLAY')
    await assertStillServing()
  })

  it('rejects malformed, truncated and badly signed envelopes with their codes and keeps serving', async () => {
    const seq = get(nodes, 'seq-0')
    const good = await seq.signer.encode({ type: 'result', blockNumber: 9n, payload: new Uint8Array(16) })
    const badSig = good.slice()
    badSig[badSig.length - 1] = (badSig[badSig.length - 1] as number) ^ 0xff
    const trailing = Uint8Array.from([...(await seq.signer.encode({ type: 'result', blockNumber: 9n, payload: new Uint8Array(4) })), 0])
    const cases: Array<[Uint8Array, string]> = [
      [new TextEncoder().encode('GET / HTTP/1.1'), 'NETWORK_MALFORMED'],
      [trailing, 'NETWORK_MALFORMED'],
      [good.subarray(0, good.length - ENVELOPE.signatureBytes - 3), 'NETWORK_TRUNCATED'],
      [badSig, 'NETWORK_BAD_SIGNATURE'],
      [await seq.signer.encode({ type: 'healthRequest', blockNumber: 0n, payload: new Uint8Array(0) }), 'NETWORK_UNEXPECTED_MESSAGE'],
    ]
    const before = received.results.length
    for (const [frame, code] of cases) {
      const seen = nextRejection(get(nodes, 'committer'))
      await rejectsWithCode(seq.requestRaw('committer', 'result', frame), code)
      const ev = await seen
      assert.equal(ev.code, code)
      assert.equal(ev.remoteName, 'seq-0')
      assert.equal(ev.protocol, 'result')
      await assertStillServing()
    }
    assert.equal(received.results.length, before + cases.length)
  })

  it('resets the stream on an oversized frame and keeps serving', async () => {
    const voter = get(nodes, 'voter-0a')
    const seen = nextRejection(get(nodes, 'committer'))
    const frame = await voter.signer.encode({ type: 'vote', blockNumber: 1n, payload: new Uint8Array(72) })
    const huge = new Uint8Array(MAX_MESSAGE_SIZE.vote + 1)
    huge.set(frame)
    await rejectsWithCode(voter.requestRaw('committer', 'vote', huge), 'NETWORK_STREAM_FAILED')
    assert.equal((await seen).code, 'NETWORK_MESSAGE_TOO_LARGE')
    await assertStillServing()
    await voter.sendVote('committer', { resultHash: hash(3), packageHash: hash(4), blockNumber: 10n })
  })

  it('resets the stream when the frame is cut off mid-way and keeps serving', async () => {
    const seq = get(nodes, 'seq-0')
    const seen = nextRejection(get(nodes, 'committer'))
    const stream = await seq.libp2p.dialProtocol(get(nodes, 'committer').peerId, PROTOCOL.result)
    // Announce 100 bytes, send 10, then close our side.
    stream.send(Uint8Array.from([100, ...new Uint8Array(10)]))
    await stream.close().catch(() => undefined)
    assert.equal((await seen).code, 'NETWORK_TRUNCATED')
    await assertStillServing()
  })

  it('cuts off a client that never sends its request', async () => {
    const seq = get(nodes, 'seq-0')
    const committer = get(nodes, 'committer')
    // A dedicated node with a short inbound timeout, so the test does not wait 10 s.
    const impatient = await createParadagNode({
      identity: fixture.identities.get('voter-0b') ?? assert.fail(),
      membership: fixture.membership,
      inboundReadTimeoutMs: 150,
    })
    await impatient.start()
    try {
      await seq.addPeerAddrs('voter-0b', impatient.getMultiaddrs())
      const seen = nextRejection(impatient)
      const stream = await seq.libp2p.dialProtocol(impatient.peerId, PROTOCOL.health)
      const lp = lpStream(stream, { maxDataLength: 1024 })
      assert.equal((await seen).code, 'NETWORK_TIMEOUT')
      await assert.rejects(lp.read())
      assert.equal((await seq.ping('voter-0b')).name, 'voter-0b')
    } finally {
      await impatient.stop()
    }
    assert.equal((await seq.ping('committer')).name, committer.name)
  })

  it('counts messages and bytes per protocol', () => {
    const s = get(nodes, 'seq-0').stats()
    assert.ok(s.sent.result.messages > 0 && s.sent.result.bytes > 0)
    assert.ok(s.received.result.messages > 0)
    const c = get(nodes, 'committer').stats()
    assert.ok((c.rejected.NETWORK_REPLAY ?? 0) >= 1)
  })
})

describe('membership gating', () => {
  it('refuses a peer that is not in the membership, inbound and outbound', async () => {
    // The outsider believes it is welcome: its own membership lists itself and the committer.
    const outsiderFixture = await makeFixture([{ name: 'outsider', role: 'construction' }])
    const outsiderId = outsiderFixture.identities.get('outsider') ?? assert.fail()
    const committer = get(nodes, 'committer')
    const { Membership } = await import('../../network/index.js')
    const outsiderView = Membership.fromConfig({
      outsider: { peerId: outsiderId.peerId.toString(), role: 'construction', addrs: [] },
      committer: { peerId: committer.peerId.toString(), role: 'committer', addrs: committer.getMultiaddrs().map(String) },
    })
    const outsider = await createParadagNode({ identity: outsiderId, membership: outsiderView })
    await outsider.start()
    try {
      const before = received.results.length
      await assert.rejects(outsider.ping('committer'), (e: unknown) => e instanceof ParadagError && ['NETWORK_DIAL_FAILED', 'NETWORK_STREAM_FAILED'].includes(e.code))
      await assert.rejects(outsider.sendPackage('committer', { blockNumber: 1n, payload: Uint8Array.of(1) }))
      assert.equal(received.results.length, before)
      assert.equal(
        committer.libp2p.getConnections().filter((c) => c.remotePeer.equals(outsiderId.peerId)).length,
        0,
      )
      // Outbound: a member will not dial the outsider even given its address.
      await assert.rejects(committer.libp2p.dial(outsider.getMultiaddrs()[0] ?? assert.fail()))
      await assert.rejects(committer.libp2p.dial(outsiderId.peerId))
      assert.equal(committer.libp2p.getConnections().filter((c) => c.remotePeer.equals(outsiderId.peerId)).length, 0)
    } finally {
      await outsider.stop()
    }
    await assertStillServing()
  })

  it('refuses to build a node whose identity is not a member', async () => {
    const stranger = await makeFixture([{ name: 'stranger', role: 'committer' }])
    await rejectsWithCode(
      createParadagNode({ identity: stranger.identities.get('stranger') ?? assert.fail(), membership: fixture.membership }),
      'NETWORK_NOT_A_MEMBER',
    )
  })
})
