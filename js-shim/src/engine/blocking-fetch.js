// `host.send` for runtimes without JSPI (Node 20/22): the component calls it synchronously,
// so the calling thread blocks in Atomics.wait while a worker thread does the fetch.
//
// The worker posts the response on a MessagePort and then flips a word in a
// SharedArrayBuffer; the blocked thread wakes on that word and takes the message with
// receiveMessageOnPort. The response body thus needs no size limit, unlike a body copied
// into a fixed shared buffer.
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

// Extra time the blocked thread waits beyond the request timeout, in case the worker died.
const WORKER_GRACE_MS = 2000;

export class BlockingFetch {
  #signal = new Int32Array(new SharedArrayBuffer(4));
  #port;
  #worker;
  #nextId = 1;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(new URL('./fetch-worker.js', import.meta.url), {
      workerData: { port: port2, signal: this.#signal },
      transferList: [port2],
    });
    // Neither the idle worker nor its port may keep the process alive.
    this.#worker.unref();
    this.#port.unref();
  }

  /** Sends `request` and blocks until the outcome arrives: `{ ok }` or `{ err }`. */
  send(request, timeoutMs) {
    const id = this.#nextId++;
    const deadline = Date.now() + timeoutMs + WORKER_GRACE_MS;
    Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage({ id, request, timeoutMs });
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.#signal, 0, 0, left) === 'timed-out') {
        return { err: { tag: 'timed-out', val: `the fetch worker gave no answer for ${request.url} within ${timeoutMs + WORKER_GRACE_MS} ms` } };
      }
      Atomics.store(this.#signal, 0, 0);
      const outcome = this.#takeOutcome(id);
      if (outcome) return outcome;
    }
  }

  /** Stops the worker thread. */
  close() {
    this.#port.close();
    return this.#worker.terminate();
  }

  // Late answers to requests that already timed out are dropped here.
  #takeOutcome(id) {
    for (let message = receiveMessageOnPort(this.#port); message; message = receiveMessageOnPort(this.#port)) {
      if (message.message.id === id) return message.message.outcome;
    }
    return undefined;
  }
}
