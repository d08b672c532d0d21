// The worker thread behind the sync host's `send`: the main thread is blocked in
// Atomics.wait, this thread runs the fetch, posts the outcome on the port and then wakes the
// main thread through the shared signal word.
import { workerData } from 'node:worker_threads';
import { exchange } from './http.js';

const { port, signal } = workerData;

port.on('message', async ({ id, request, timeoutMs }) => {
  const outcome = await exchange(request, timeoutMs);
  const transfer = outcome.ok ? [outcome.ok.body.buffer] : [];
  port.postMessage({ id, outcome }, transfer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
