/** OP-stack addresses, storage slots and fee constants (OP specs, op-geth, op-revm). */

/** Sender of the L1 attributes deposit. */
export const L1_ATTRIBUTES_DEPOSITOR = '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001'
/** L1Block predeploy: holds the L1 attributes the fee formulas read. */
export const L1_BLOCK_ADDRESS = '0x4200000000000000000000000000000000000015'
/** L2ToL1MessagePasser predeploy; its storage root is the Isthmus header withdrawalsRoot. */
export const L2_TO_L1_MESSAGE_PASSER_ADDRESS = '0x4200000000000000000000000000000000000016'
/** SequencerFeeVault: the block coinbase, receives priority tips. */
export const SEQUENCER_FEE_VAULT = '0x4200000000000000000000000000000000000011'
/** BaseFeeVault: receives the base fee (not burned on OP). */
export const BASE_FEE_VAULT = '0x4200000000000000000000000000000000000019'
/** L1FeeVault: receives the L1 data fee. */
export const L1_FEE_VAULT = '0x420000000000000000000000000000000000001a'
/** OperatorFeeVault (Isthmus+): receives the operator fee. */
export const OPERATOR_FEE_VAULT = '0x420000000000000000000000000000000000001b'

/** EIP-4788 beacon roots contract. */
export const BEACON_ROOTS_ADDRESS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02'
export const BEACON_ROOTS_HISTORY_LENGTH = 8191n
/** EIP-2935 block hash history contract. */
export const HISTORY_STORAGE_ADDRESS = '0x0000f90827f1c53a10cb7a02335b175320002935'
export const HISTORY_SERVE_WINDOW = 8191n

/** L1Block storage slots. */
export const L1_BLOCK_SLOTS = {
  baseFee: 1n,
  /** Ecotone+: bytes [16:20) baseFeeScalar, [20:24) blobBaseFeeScalar (big-endian u32). */
  feeScalars: 3n,
  /** Bedrock: l1FeeOverhead and l1FeeScalar. */
  overhead: 5n,
  scalar: 6n,
  blobBaseFee: 7n,
  /** Isthmus+: bytes [20:24) operatorFeeScalar (u32), [24:32) operatorFeeConstant (u64);
   *  Jovian+: bytes [18:20) daFootprintGasScalar (u16). */
  operatorFeeParams: 8n,
} as const

export const DEPOSIT_TX_TYPE = 0x7e

/** Fjord compressed-size estimate: max(MIN, INTERCEPT + COEF * fastLzLen), scaled by 1e6. */
export const FJORD_MIN_TX_SIZE_SCALED = 100_000_000n
export const FJORD_INTERCEPT = -42_585_600n
export const FJORD_FASTLZ_COEF = 836_500n

/** Isthmus operator fee: gas * scalar / 1e6 + constant; Jovian: gas * scalar * 100 + constant. */
export const OPERATOR_FEE_SCALAR_DECIMAL = 1_000_000n
export const OPERATOR_FEE_JOVIAN_MULTIPLIER = 100n

/** Granite: maximum input size of the bn256 pairing precompile. */
export const GRANITE_BN256_PAIRING_MAX_INPUT = 112_687
/** Fjord: RIP-7212 P256VERIFY precompile address and gas. */
export const P256VERIFY_ADDRESS = '0x0000000000000000000000000000000000000100'
export const P256VERIFY_GAS = 3450n
/** Isthmus: BLS12-381 precompile input limits (bytes). */
export const ISTHMUS_BLS_G1_MSM_MAX_INPUT = 513_760
export const ISTHMUS_BLS_G2_MSM_MAX_INPUT = 488_448
export const ISTHMUS_BLS_PAIRING_MAX_INPUT = 235_008

/** sha256 of the empty string: the Isthmus header requestsHash (no execution-layer requests). */
export const SHA256_EMPTY = '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** keccak256(rlp([])) — the empty ommers hash. */
export const EMPTY_OMMERS_HASH = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347'
/** Root of the empty trie. */
export const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'

/** Receipt version written into deposit receipts from Canyon on. */
export const DEPOSIT_RECEIPT_VERSION = 1n
/** Jovian: tighter precompile input limits. */
export const JOVIAN_BN256_PAIRING_MAX_INPUT = 81_984
export const JOVIAN_BLS_G1_MSM_MAX_INPUT = 288_960
export const JOVIAN_BLS_G2_MSM_MAX_INPUT = 278_784
export const JOVIAN_BLS_PAIRING_MAX_INPUT = 156_672
