import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  decodeEnvelope,
  EnvelopeSigner,
  ENVELOPE,
  MAX_MESSAGE_SIZE,
  MESSAGE_AUTHORS,
  MESSAGE_TYPE,
  parseEnvelope,
  ReplayGuard,
  WIRE_VERSION,
  WireError,
} from '../../network/index.js'
import type { Identity, MessageTypeName } from '../../network/index.js'
import { makeFixture, rejectsWithCode, STANDARD_SPECS, throwsWithCode } from './helpers.js'

const fixture = await makeFixture([...STANDARD_SPECS, { name: 'outsider-owner', role: 'construction' }])
const { membership } = fixture
const outsider = await makeFixture([{ name: 'outsider', role: 'construction' }])
const id = (name: string): Identity => {
  const i = fixture.identities.get(name) ?? outsider.identities.get(name)
  if (i === undefined) throw new Error(name)
  return i
}
const voter = new EnvelopeSigner(id('voter-0a'))
const construction = new EnvelopeSigner(id('construction-0'))
const sequencer = new EnvelopeSigner(id('seq-0'))

/** Replaces the signature so that only the mutation under test is wrong. */
async function resign(identity: Identity, bytes: Uint8Array): Promise<Uint8Array> {
  const out = bytes.slice()
  const cut = out.length - ENVELOPE.signatureBytes
  out.set(await identity.privateKey.sign(out.subarray(0, cut)), cut)
  return out
}

const allTypes = Object.keys(MESSAGE_TYPE) as MessageTypeName[]

describe('wire codec', () => {
  it('round-trips every field of every message type its author may send', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...allTypes),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        async (type, blockNumber, payload, timestamp) => {
          const author = [...fixture.identities.entries()].find(([n]) => MESSAGE_AUTHORS[type].includes(membership.byName(n)?.role ?? 'voter'))
          assert.ok(author)
          const signer = new EnvelopeSigner(author[1])
          const bytes = await signer.encode({ type, blockNumber, payload, timestamp })
          const env = await decodeEnvelope(bytes, { membership, maxClockSkewMs: Infinity })
          assert.equal(env.type, type)
          assert.equal(env.blockNumber, blockNumber)
          assert.equal(env.timestamp, timestamp)
          assert.deepEqual(env.payload, payload)
          assert.equal(env.author.name, author[0])
          assert.equal(bytes[0], 0x50)
          assert.equal(bytes[1], WIRE_VERSION)
          assert.equal(bytes[2], MESSAGE_TYPE[type])
        },
      ),
      { numRuns: 60 },
    )
  })

  it('gives each author strictly increasing nonces', async () => {
    const a = await construction.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(1) })
    const b = await construction.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(1) })
    assert.ok(parseEnvelope(b).nonce > parseEnvelope(a).nonce)
  })

  it('rejects every strict prefix of an envelope as truncated', async () => {
    const bytes = await voter.encode({ type: 'vote', blockNumber: 7n, payload: new Uint8Array(72).fill(3) })
    for (let n = 0; n < bytes.length; n++) throwsWithCode(() => parseEnvelope(bytes.subarray(0, n)), 'NETWORK_TRUNCATED')
  })

  it('rejects trailing bytes, bad magic and non-zero flags as malformed', async () => {
    const bytes = await construction.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(10) })
    const longer = new Uint8Array(bytes.length + 1)
    longer.set(bytes)
    throwsWithCode(() => parseEnvelope(longer), 'NETWORK_MALFORMED')
    const magic = bytes.slice()
    magic[0] = 0x51
    throwsWithCode(() => parseEnvelope(magic), 'NETWORK_MALFORMED')
    const flags = await resign(id('construction-0'), Object.assign(bytes.slice(), { 3: 1 }))
    throwsWithCode(() => parseEnvelope(flags), 'NETWORK_MALFORMED')
    const authorLen = bytes.slice()
    authorLen[4] = 0
    throwsWithCode(() => parseEnvelope(authorLen), 'NETWORK_MALFORMED')
  })

  it('rejects another wire version and unknown types, even when correctly signed', async () => {
    const bytes = await construction.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(10) })
    const v2 = bytes.slice()
    v2[1] = WIRE_VERSION + 1
    await rejectsWithCode(decodeEnvelope(await resign(id('construction-0'), v2), { membership }), 'NETWORK_UNSUPPORTED_VERSION')
    const t = bytes.slice()
    t[2] = 200
    await rejectsWithCode(decodeEnvelope(await resign(id('construction-0'), t), { membership }), 'NETWORK_UNKNOWN_MESSAGE_TYPE')
  })

  it('enforces the per-type size limit on both sides', async () => {
    const limit = MAX_MESSAGE_SIZE.vote
    await rejectsWithCode(voter.encode({ type: 'vote', blockNumber: 1n, payload: new Uint8Array(limit) }), 'NETWORK_MESSAGE_TOO_LARGE')
    // A hand-built vote envelope over the limit is rejected before anything else is looked at.
    const big = new Uint8Array(limit + 1)
    big.set([0x50, WIRE_VERSION, MESSAGE_TYPE.vote])
    throwsWithCode(() => parseEnvelope(big), 'NETWORK_MESSAGE_TOO_LARGE')
  })

  it('rejects any single-byte change of a signed envelope', async () => {
    const bytes = await sequencer.encode({ type: 'result', blockNumber: 9n, payload: new Uint8Array(40).fill(1) })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const m = bytes.slice()
        m[at] = (m[at] as number) ^ xor
        await assert.rejects(decodeEnvelope(m, { membership, maxClockSkewMs: Infinity }), (e: unknown) => e instanceof WireError)
      }),
      { numRuns: 200 },
    )
  })

  it('rejects a bad signature', async () => {
    const bytes = await sequencer.encode({ type: 'result', blockNumber: 9n, payload: new Uint8Array(4) })
    const m = bytes.slice()
    m[m.length - 1] = (m[m.length - 1] as number) ^ 1
    await rejectsWithCode(decodeEnvelope(m, { membership }), 'NETWORK_BAD_SIGNATURE')
    // Signed by one member but claiming to be another.
    const forged = await resign(id('voter-0b'), bytes)
    await rejectsWithCode(decodeEnvelope(forged, { membership }), 'NETWORK_BAD_SIGNATURE')
  })

  it('rejects authors outside the membership and roles not allowed for the type', async () => {
    const out = new EnvelopeSigner(id('outsider'))
    await rejectsWithCode(
      decodeEnvelope(await out.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(1) }), { membership }),
      'NETWORK_UNKNOWN_AUTHOR',
    )
    const wrongVote = await sequencer.encode({ type: 'vote', blockNumber: 1n, payload: new Uint8Array(72) })
    await rejectsWithCode(decodeEnvelope(wrongVote, { membership }), 'NETWORK_ROLE_NOT_ALLOWED')
    const wrongResult = await voter.encode({ type: 'result', blockNumber: 1n, payload: new Uint8Array(1) })
    await rejectsWithCode(decodeEnvelope(wrongResult, { membership }), 'NETWORK_ROLE_NOT_ALLOWED')
    const wrongPackage = await voter.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(1) })
    await rejectsWithCode(decodeEnvelope(wrongPackage, { membership }), 'NETWORK_ROLE_NOT_ALLOWED')
  })

  it('checks the expected author and type', async () => {
    const bytes = await voter.encode({ type: 'vote', blockNumber: 1n, payload: new Uint8Array(72) })
    await rejectsWithCode(decodeEnvelope(bytes, { membership, expectedAuthor: id('voter-0b').peerId.toString() }), 'NETWORK_AUTHOR_MISMATCH')
    await rejectsWithCode(decodeEnvelope(bytes, { membership, expectedTypes: ['result'] }), 'NETWORK_UNEXPECTED_MESSAGE')
  })

  it('rejects a replayed envelope and one older than the window, and accepts reordering within it', async () => {
    const guard = new ReplayGuard({ window: 4 })
    const mk = (nonce: bigint) => construction.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(1), nonce })
    const opts = { membership, replayGuard: guard }
    await decodeEnvelope(await mk(100n), opts)
    await rejectsWithCode(decodeEnvelope(await mk(100n), opts), 'NETWORK_REPLAY')
    await decodeEnvelope(await mk(103n), opts)
    await decodeEnvelope(await mk(101n), opts) // late but inside the window
    await rejectsWithCode(decodeEnvelope(await mk(101n), opts), 'NETWORK_REPLAY')
    await rejectsWithCode(decodeEnvelope(await mk(99n), opts), 'NETWORK_REPLAY') // below the window
    // A forgery carrying a fresh nonce must not burn that nonce for the real author.
    const forged = (await mk(110n)).slice()
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1
    await rejectsWithCode(decodeEnvelope(forged, opts), 'NETWORK_BAD_SIGNATURE')
    await decodeEnvelope(await mk(110n), opts)
  })

  it('replay guard accepts each nonce exactly once under any delivery order with duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), (seq) => {
        const guard = new ReplayGuard({ window: 1000 })
        const accepted = new Set<number>()
        for (const n of seq) {
          let ok = true
          try {
            guard.checkAndRecord('a', BigInt(n))
          } catch (e) {
            assert.equal((e as WireError).code, 'NETWORK_REPLAY')
            ok = false
          }
          assert.equal(ok, !accepted.has(n))
          accepted.add(n)
        }
      }),
    )
  })

  it('rejects envelopes whose timestamp is far from the local clock', async () => {
    const now = 1_700_000_000_000
    const bytes = await construction.encode({ type: 'package', blockNumber: 1n, payload: new Uint8Array(1), timestamp: now - 10 * 60_000 })
    await rejectsWithCode(decodeEnvelope(bytes, { membership, now: () => now, maxClockSkewMs: 60_000 }), 'NETWORK_STALE')
    await decodeEnvelope(bytes, { membership, now: () => now, maxClockSkewMs: 11 * 60_000 })
  })

  it('verifies a stored envelope again without a replay guard (forwarded claims)', async () => {
    const bytes = await voter.encode({ type: 'vote', blockNumber: 3n, payload: new Uint8Array(72) })
    const guard = new ReplayGuard()
    await decodeEnvelope(bytes, { membership, replayGuard: guard })
    const again = await decodeEnvelope(bytes, { membership })
    assert.equal(again.author.name, 'voter-0a')
  })
})

describe('replay guard memory bound', () => {
  it('forgets the oldest nonces past the cap and then refuses them as too old', () => {
    const guard = new ReplayGuard({ window: 10n ** 12n, maxTracked: 8 })
    for (let n = 1; n <= 9; n++) guard.checkAndRecord('a', BigInt(n))
    // 9 > 8 tracked: the oldest half was dropped and now counts as too old, never as new.
    throwsWithCode(() => guard.check('a', 1n), 'NETWORK_REPLAY')
    throwsWithCode(() => guard.check('a', 9n), 'NETWORK_REPLAY')
    guard.checkAndRecord('a', 10n)
    guard.checkAndRecord('b', 1n)
  })
})
