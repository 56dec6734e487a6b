/**
 * Prediction worker thread: receives batches (parent snapshot JSON + env + raw txs), predicts
 * each tx against the parent, and posts the results back. Errors cross as SerializedError.
 */
import { parentPort } from 'node:worker_threads'
import { serializeError } from '../common/errors.js'
import { BatchPredictor, type PredictBatchInput } from './prediction-core.js'

interface Request {
  id: number
  input: PredictBatchInput
}

const predictor = new BatchPredictor()
const port = parentPort
if (port !== null) {
  port.on('message', (msg: Request) => {
    predictor
      .predict(msg.input)
      .then((results) => port.postMessage({ id: msg.id, ok: true, results }))
      .catch((e: unknown) => port.postMessage({ id: msg.id, ok: false, error: serializeError(e) }))
  })
}
