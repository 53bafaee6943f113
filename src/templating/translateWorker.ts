/** The worker of `translateAhead.ts`: translates the requested templates, in order, in batches. */
import { workerData, type MessagePort } from 'node:worker_threads';
import { translateTemplate, withCodeCache, type TranslatedTemplate } from './compile.js';
import type { TranslatedBatch, TranslateRequest } from './translateAhead.js';

const { requests, port, progress, batch } = workerData as {
  requests: TranslateRequest[];
  port: MessagePort;
  progress: Int32Array;
  batch: number;
};

for (let from = 0; from < requests.length; from += batch) {
  const results: Array<TranslatedTemplate | null> = [];
  for (const request of requests.slice(from, from + batch)) {
    try {
      results.push(withCodeCache(translateTemplate(request.source, request.name)));
    } catch {
      // The main thread translates it again and reports the error with its own location.
      results.push(null);
    }
  }
  port.postMessage({ from, results } satisfies TranslatedBatch);
  Atomics.store(progress, 0, from + results.length);
  Atomics.notify(progress, 0);
}
port.close();
