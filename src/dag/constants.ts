/**
 * Constants of the conflict DAG: access kinds of the compact input, edge kind bits, and limits.
 */

/**
 * Kind of one access in `CompactAccesses.kinds`. `readWrite` (3) is an extension of the
 * read/write/credit triple: it says the transaction both read and wrote the key in one entry,
 * which keeps the read information while halving the entries of read-modify-write keys.
 */
export const ACCESS_KIND = { read: 0, write: 1, credit: 2, readWrite: 3 } as const
export type AccessKind = (typeof ACCESS_KIND)[keyof typeof ACCESS_KIND]

/**
 * Edge kind bits (`ConflictDag.edgeKinds` is a bitmask; an edge found through several keys or
 * rules carries the union).
 * - raw: the target reads a value the source wrote or credited.
 * - waw: the target writes a key the source wrote (or, for a blind write, credited).
 * - war: the target writes a key the source read (since the last write).
 * - carry: ordering-only edge between two readers of a credited key: the later reader must see
 *   the credits the earlier reader already saw. The endpoints do not conflict with each other;
 *   the edge replaces one edge per (creditor, reader) pair, which would be quadratic.
 */
export const EDGE_KIND = { raw: 1, waw: 2, war: 4, carry: 8 } as const
export type EdgeKindName = keyof typeof EDGE_KIND
export const EDGE_KIND_NAMES: readonly EdgeKindName[] = ['raw', 'waw', 'war', 'carry']

/** Above this many vertices `toSvg` refuses to draw (a picture of it would be unreadable). */
export const SVG_MAX_VERTICES = 2000
/** Default SVG canvas size in pixels. */
export const SVG_DEFAULT_SIZE = 1024
/** ForceAtlas2 iterations for the `forceatlas2` SVG layout. */
export const SVG_FORCEATLAS2_ITERATIONS = 200
