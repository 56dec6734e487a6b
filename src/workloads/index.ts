export { generateAccesses, generatedKeyName, createZipfSampler, Xoshiro128, ACCESS_GEN_DEFAULTS } from './access-gen.js'
export type { AccessGenOptions, ZipfSampler } from './access-gen.js'
