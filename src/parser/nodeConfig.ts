import type { NodeConfig } from '../config/types.js';

/** Keys whose values add up across levels instead of the deeper one winning, as in dbt. */
const ADDITIVE_LIST_KEYS = new Set(['tags', 'pre-hook', 'post-hook']);
const KEY_ALIASES: Record<string, string> = { pre_hook: 'pre-hook', post_hook: 'post-hook' };

export function defaultConfig(resourceType: 'model' | 'seed' | 'test' | 'operation'): NodeConfig {
  const base: NodeConfig = {
    enabled: true,
    materialized: resourceType === 'model' ? 'view' : resourceType === 'seed' ? 'seed' : 'test',
    tags: [],
    meta: {},
    'pre-hook': [],
    'post-hook': [],
    persist_docs: {},
  };
  if (resourceType === 'model') {
    base.on_schema_change = 'ignore';
    base.full_refresh = null;
  }
  if (resourceType === 'test') {
    Object.assign(base, {
      severity: 'ERROR',
      warn_if: '!= 0',
      error_if: '!= 0',
      store_failures: null,
      where: null,
      limit: null,
      fail_calc: 'count(*)',
    });
  }
  return base;
}

/** Merge `layer` over `config` with dbt's rules: lists of tags and hooks accumulate, meta merges, the rest is replaced. */
export function mergeConfig(config: NodeConfig, layer: Record<string, unknown> | undefined): NodeConfig {
  if (!layer) return config;
  for (const [rawKey, value] of Object.entries(layer)) {
    const key = KEY_ALIASES[rawKey] ?? rawKey;
    if (value === undefined) continue;
    if (ADDITIVE_LIST_KEYS.has(key)) {
      const items = asList(value);
      const current = (config[key] as unknown[] | undefined) ?? [];
      config[key] = key === 'tags' ? unique([...current, ...items]) : [...current, ...items];
    } else if (key === 'meta' && isPlainObject(value)) {
      config.meta = { ...config.meta, ...value };
    } else if (key === 'persist_docs' && isPlainObject(value)) {
      config.persist_docs = { ...config.persist_docs, ...value };
    } else {
      config[key] = value;
    }
  }
  return config;
}

function asList(value: unknown): unknown[] {
  if (value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
