/**
 * The adapter factory. One adapter serves every HiveServer2-protocol server (Apache Hive, Spark
 * Thrift Server, Kyuubi); engine differences are the capability flags detected at connect.
 */
import type { HiveTarget } from '../config/types.js';
import { HiveAdapter, type HiveAdapterOptions } from './hive/adapter.js';
import type { Adapter } from './types.js';

export interface CreateAdapterOptions {
  /** The runner's log: connects, retries, and the server's operation log and progress. */
  log?: (line: string) => void;
  /** Sessions at most (`--threads`); default the target's `threads`. */
  threads?: number;
}

/** Connects to the target's server and detects its capabilities. */
export async function createAdapter(
  target: HiveTarget,
  options: CreateAdapterOptions = {},
): Promise<Adapter> {
  const adapterOptions: HiveAdapterOptions = { log: options.log, threads: options.threads };
  return HiveAdapter.connect(target, adapterOptions);
}

export { HiveAdapter } from './hive/adapter.js';
export type { AdapterStats, HiveAdapterOptions } from './hive/adapter.js';
export * from './types.js';
