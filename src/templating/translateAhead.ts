/**
 * Translating templates ahead, on a worker thread. Lexing, parsing and generating code is most of the
 * cost of compiling a nunjucks template and depends on nothing but the source text, so a second core
 * can do it while the main thread reads property files and renders the templates that need no
 * nunjucks. The main thread takes each translation when it reaches the template, waiting for it if
 * the worker is behind, and translates on its own when the worker cannot help.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { TranslatedTemplate } from './compile.js';

/** Below this many templates starting a thread costs more than it saves. */
export const TRANSLATE_AHEAD_MIN = 200;
/** The worker posts translations in batches; the main thread sleeps on a counter between them. */
const BATCH = 25;
/** How long the main thread waits for a batch before translating on its own. */
const STALL_MS = 2000;

export interface TranslateRequest {
  source: string;
  name: string;
}

/** What the worker posts: translations in request order, null where translating failed. */
export interface TranslatedBatch {
  from: number;
  results: Array<TranslatedTemplate | null>;
}

export class TemplateTranslator {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly progress: Int32Array;
  private readonly ready = new Map<string, TranslatedTemplate | null>();
  private received = 0;
  private abandoned = false;

  private constructor(
    private readonly requests: TranslateRequest[],
    workerUrl: URL,
  ) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.progress = new Int32Array(new SharedArrayBuffer(4));
    this.worker = new Worker(workerUrl, {
      workerData: { requests, port: channel.port2, progress: this.progress, batch: BATCH },
      transferList: [channel.port2],
    });
    // A worker that fails to start shows as a stall: the main thread then translates on its own.
    this.worker.on('error', () => undefined);
    this.worker.unref();
    this.port.unref();
  }

  /** Null when the worker script is not runnable here (tests run the TypeScript sources). */
  static start(requests: TranslateRequest[]): TemplateTranslator | null {
    const url = new URL('./translateWorker.js', import.meta.url);
    if (requests.length < TRANSLATE_AHEAD_MIN || !import.meta.url.endsWith('.js')) return null;
    return new TemplateTranslator(requests, url);
  }

  /** The translation of `source`, if it was requested and the worker managed it; waits for it if needed. */
  take(source: string): TranslatedTemplate | undefined {
    for (;;) {
      const found = this.ready.get(source);
      if (found !== undefined || this.ready.has(source)) {
        this.ready.delete(source);
        return found ?? undefined;
      }
      if (this.abandoned || this.received >= this.requests.length) return undefined;
      if (!this.drain()) this.waitForBatch();
    }
  }

  close(): void {
    this.abandoned = true;
    this.port.close();
    void this.worker.terminate();
  }

  private drain(): boolean {
    let any = false;
    for (let message = receiveMessageOnPort(this.port); message; message = receiveMessageOnPort(this.port)) {
      const batch = message.message as TranslatedBatch;
      batch.results.forEach((result, i) => this.ready.set(this.requests[batch.from + i]!.source, result));
      this.received = batch.from + batch.results.length;
      any = true;
    }
    return any;
  }

  private waitForBatch(): void {
    const seen = Atomics.load(this.progress, 0);
    if (seen > this.received) return;
    if (Atomics.wait(this.progress, 0, seen, STALL_MS) === 'timed-out') this.close();
  }
}
