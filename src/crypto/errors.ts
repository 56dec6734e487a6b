import { ParadagError, type ParadagErrorOptions } from '../common/errors.js'

export type CryptoErrorCode = 'CRYPTO_INVALID_V' | 'CRYPTO_RECOVER_FAILED' | 'CRYPTO_SIGN_OPTIONS' | 'CRYPTO_SIGN_FAILED'

/** Errors of the native crypto bindings. */
export class CryptoError extends ParadagError {
  override name = 'CryptoError'
  constructor(code: CryptoErrorCode, message: string, options: ParadagErrorOptions = {}) {
    super(code, message, options)
  }
}
