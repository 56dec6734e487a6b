import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, createTxFromRLP } from '@ethereumjs/tx'
import { bigIntToUnpaddedBytes, bytesToHex, ecrecover, privateToAddress } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { createFastCommon, decodeUnfrozen, keccak256, nativeEcrecover, nativeEcsign, nativePublicKey, nativeSha256, pinSigner, recoverSigner, signerOfPublicKey } from '../../src/crypto/index.js'
import { hasCode } from '../../src/common/index.js'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const privKey = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => Uint8Array.from(Buffer.from(k.toString(16).padStart(64, '0'), 'hex')))

/** Runs `f` and returns either its result as hex or 'throws'. */
function outcome(f: () => Uint8Array): string {
  try {
    return Buffer.from(f()).toString('hex')
  } catch {
    return 'throws'
  }
}

test('native ecrecover equals the pure-JS ecrecover for every v encoding', () => {
  fc.assert(
    fc.property(privKey, bytes32, fc.bigInt({ min: 1n, max: 1n << 40n }), (sk, msg, chainId) => {
      const sig = nativeEcsign(msg, sk, { prehash: false, format: 'recovered', extraEntropy: false })
      const rec = BigInt(sig[0]!)
      const r = sig.subarray(1, 33)
      const s = sig.subarray(33, 65)
      const expected = Buffer.from(nativePublicKey(sk)).toString('hex')
      const cases: Array<[bigint, bigint | undefined]> = [
        [rec, undefined],
        [rec + 27n, undefined],
        [rec + 35n + 2n * chainId, chainId],
        [1n - rec, undefined], // the other parity: a different (or no) key
        [rec + 2n, undefined], // invalid v
        [rec + 35n + 2n * chainId, chainId + 1n], // v for another chain
      ]
      for (const [v, cid] of cases) {
        const js = outcome(() => ecrecover(msg, v, r, s, cid))
        const native = outcome(() => nativeEcrecover(msg, v, r, s, cid))
        assert.equal(native, js, `v=${v} chainId=${cid}`)
      }
      assert.equal(outcome(() => nativeEcrecover(msg, rec, r, s)), expected)
    }),
    { numRuns: 150 },
  )
})

test('native ecrecover equals the pure-JS one on arbitrary (mostly invalid) r, s', () => {
  const scalar = fc.oneof(
    bytes32,
    fc.constant(new Uint8Array(32)),
    fc.constant(bigIntToUnpaddedBytes(N)),
    fc.constant(bigIntToUnpaddedBytes(N - 1n)),
    fc.uint8Array({ minLength: 0, maxLength: 31 }),
  )
  fc.assert(
    fc.property(bytes32, fc.constantFrom(0n, 1n, 27n, 28n), scalar, scalar, (msg, v, r, s) => {
      assert.equal(outcome(() => nativeEcrecover(msg, v, r, s)), outcome(() => ecrecover(msg, v, r, s)))
    }),
    { numRuns: 300 },
  )
})

test('invalid v gives a coded error', () => {
  const sk = new Uint8Array(32).fill(7)
  const msg = new Uint8Array(32).fill(1)
  const sig = nativeEcsign(msg, sk, { prehash: false, format: 'recovered', extraEntropy: false })
  assert.throws(
    () => nativeEcrecover(msg, 5n, sig.subarray(1, 33), sig.subarray(33)),
    (e: unknown) => hasCode(e, 'CRYPTO_INVALID_V'),
  )
})

test('native signing is bit-identical to ethereumjs/noble signing (deterministic and with 32-byte entropy)', () => {
  const slow = createCustomCommon({ chainId: 10 }, Mainnet, { hardfork: 'prague' })
  const fast = createFastCommon({ chainId: 10, hardfork: 'prague' })
  fc.assert(
    fc.property(privKey, fc.bigInt({ min: 0n, max: 1000n }), fc.option(bytes32, { nil: undefined }), (sk, nonce, entropy) => {
      const data = { nonce, to: `0x${'11'.repeat(20)}` as const, value: 5n, gasLimit: 21000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n }
      const a = createFeeMarket1559Tx(data, { common: slow }).sign(sk, entropy ?? false)
      const b = createFeeMarket1559Tx(data, { common: fast }).sign(sk, entropy ?? false)
      assert.deepEqual(b.serialize(), a.serialize())
      const l1 = createLegacyTx({ nonce, gasPrice: 7n, gasLimit: 21000n, value: 1n }, { common: slow }).sign(sk, false)
      const l2 = createLegacyTx({ nonce, gasPrice: 7n, gasLimit: 21000n, value: 1n }, { common: fast }).sign(sk, false)
      assert.deepEqual(l2.serialize(), l1.serialize())
      // Sender recovery through the fast Common gives the signer's address.
      assert.deepEqual(b.getSenderAddress().bytes, privateToAddress(sk))
      assert.deepEqual(l2.getSenderAddress().bytes, privateToAddress(sk))
    }),
    { numRuns: 60 },
  )
})

test('ecsign honours noble defaults: compact format and sha256 prehash', () => {
  const sk = new Uint8Array(32).fill(3)
  const msg = new Uint8Array([1, 2, 3])
  const compact = nativeEcsign(msg, sk, { extraEntropy: false })
  assert.equal(compact.length, 64)
  const direct = nativeEcsign(sha256(msg), sk, { prehash: false, extraEntropy: false })
  assert.deepEqual(compact, direct)
  assert.throws(() => nativeEcsign(msg, sk, { format: 'der' }), (e: unknown) => hasCode(e, 'CRYPTO_SIGN_OPTIONS'))
})

test('keccak256 and sha256 equal @noble/hashes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), fc.nat({ max: 5 }), (b, off) => {
      // Views with an offset must hash only their own bytes.
      const view = new Uint8Array(new Uint8Array(b.length + off).fill(0xaa).buffer, off, b.length)
      view.set(b)
      assert.deepEqual(keccak256(view), keccak_256(b))
      assert.deepEqual(nativeSha256(view), sha256(b))
    }),
    { numRuns: 300 },
  )
})

test('memoized parameter updates give the same parameters as plain ethereumjs Commons', async () => {
  const { createVM } = await import('@ethereumjs/vm')
  const names = ['txGas', 'txCreationGas', 'txDataZeroGas', 'txDataNonZeroGas', 'accessListStorageKeyGas', 'accessListAddressGas', 'initCodeWordGas', 'totalCostFloorPerToken']
  const data = { to: `0x${'33'.repeat(20)}` as const, gasLimit: 100000n, maxFeePerGas: 9n, data: new Uint8Array([0, 1, 2, 0, 0, 7]), accessList: [{ address: `0x${'44'.repeat(20)}` as const, storageKeys: [`0x${'00'.repeat(31)}01` as const] }] }
  for (const hf of ['berlin', 'london', 'cancun', 'prague']) {
    const memo = createFastCommon({ chainId: 5, hardfork: hf })
    const plain = createFastCommon({ chainId: 5, hardfork: hf, memoizeParams: false })
    // Several constructions (the memo only acts from the second one) and a VM on the same root.
    await createVM({ common: memo })
    for (let i = 0; i < 3; i++) {
      const { maxFeePerGas: _fee, ...rest } = data
      const a = createAccessList2930Tx({ ...rest, gasPrice: 9n, nonce: BigInt(i) }, { common: memo })
      const b = createAccessList2930Tx({ ...rest, gasPrice: 9n, nonce: BigInt(i) }, { common: plain })
      assert.equal(a.getIntrinsicGas(), b.getIntrinsicGas(), hf)
      for (const n of names) {
        const pa = (() => { try { return a.common.param(n) } catch { return 'none' } })()
        const pb = (() => { try { return b.common.param(n) } catch { return 'none' } })()
        assert.equal(pa, pb, `${hf} ${n}`)
      }
    }
  }
  // A copy moved to another hardfork rebuilds its own parameters.
  const root = createFastCommon({ chainId: 5, hardfork: 'prague' })
  createFeeMarket1559Tx(data, { common: root })
  const older = root.copy()
  older.setHardfork('berlin')
  const legacyOld = createLegacyTx({ gasLimit: 100000n, gasPrice: 9n, data: data.data }, { common: older })
  const legacyRef = createLegacyTx({ gasLimit: 100000n, gasPrice: 9n, data: data.data }, { common: createFastCommon({ chainId: 5, hardfork: 'berlin', memoizeParams: false }) })
  assert.equal(legacyOld.getIntrinsicGas(), legacyRef.getIntrinsicGas())
})

test('a pinned signer: the address and public key ethereumjs derives itself, the transaction frozen, its hash cached', () => {
  const common = createFastCommon({ chainId: 1n, hardfork: 'prague' })
  fc.assert(
    fc.property(privKey, fc.bigInt({ min: 0n, max: 1000n }), fc.constantFrom(0, 1, 2), (sk, nonce, type) => {
      const data = { nonce, gasLimit: 21000n, to: '0x00000000000000000000000000000000000000aa' as const, value: 1n }
      const unsigned =
        type === 0 ? createLegacyTx({ ...data, gasPrice: 10n }, { common }) : type === 1 ? createAccessList2930Tx({ ...data, gasPrice: 10n, chainId: 1n }, { common }) : createFeeMarket1559Tx({ ...data, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, chainId: 1n }, { common })
      const raw = unsigned.sign(sk).serialize()
      const reference = createTxFromRLP(raw, { common })
      const tx = decodeUnfrozen(raw, common)
      assert.equal(Object.isFrozen(tx), false)
      const signer = recoverSigner(tx, common)
      pinSigner(tx, signer)
      assert.equal(Object.isFrozen(tx), true)
      assert.equal(tx.getSenderAddress().toString(), reference.getSenderAddress().toString())
      assert.equal(tx.getSenderAddress().toString(), bytesToHex(privateToAddress(sk)))
      assert.deepEqual(tx.getSenderPublicKey(), reference.getSenderPublicKey())
      assert.deepEqual(signerOfPublicKey(signer.pub, common).address, signer.address)
      assert.equal(tx.hash(), tx.hash(), 'a frozen transaction caches its hash')
    }),
    { numRuns: 25 },
  )
})

test('a signer is not pinned on a frozen transaction: only its public key is set', () => {
  const common = createFastCommon({ chainId: 1n, hardfork: 'prague' })
  const sk = new Uint8Array(32).fill(7)
  const raw = createLegacyTx({ nonce: 0n, gasLimit: 21000n, gasPrice: 1n, to: '0x00000000000000000000000000000000000000aa' }, { common }).sign(sk).serialize()
  const tx = createTxFromRLP(raw, { common })
  const wrong = { pub: new Uint8Array(64).fill(1), address: new Uint8Array(20).fill(2) }
  pinSigner(tx, wrong)
  // The address is still derived from the (now wrong) public key, not taken from `wrong.address`.
  assert.notEqual(tx.getSenderAddress().toString(), bytesToHex(wrong.address))
})
