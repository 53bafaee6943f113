import { createHash } from 'node:crypto';
import type { NodeConfig, TestDefinition } from '../config/types.js';
import type { RefCall, TestNode } from '../manifest/types.js';
import { asStringList, folderParts } from './helpers.js';
import { isPlainObject } from './nodeConfig.js';

export interface GenericTestParts {
  projectName: string;
  uniqueId: string;
  name: string;
  hash: string;
  targetId: string;
  targetName: string;
  column: string | null;
  definition: TestDefinition;
  kwargs: Record<string, unknown>;
  config: NodeConfig;
  /** The property file that declares the test. */
  file: string;
  schema: string;
  dependsOn: string[];
  refs: RefCall[];
  sources: string[][];
  createdAt: number;
}

/** A generic data test as a manifest node; its SQL comes from the `{% test %}` block at compile time. */
export function genericTestNode(p: GenericTestParts): TestNode {
  return {
    unique_id: p.uniqueId,
    resource_type: 'test',
    package_name: p.projectName,
    name: p.name,
    path: `${p.name}.sql`,
    original_file_path: p.file,
    fqn: [p.projectName, ...folderParts(p.file).slice(1), p.name],
    description: '',
    tags: asStringList(p.config.tags),
    meta: { ...p.config.meta },
    database: null,
    schema: p.schema,
    alias: p.name.length > 64 ? p.name.slice(0, 53) + '_' + p.hash : p.name,
    relation_name: null,
    config: p.config,
    checksum: {
      name: 'sha256',
      checksum: createHash('sha256')
        .update(`${p.name}|${JSON.stringify(p.kwargs)}`)
        .digest('hex'),
    },
    language: 'sql',
    raw_code: `{{ test_${p.definition.testName}(**_dbt_generic_test_kwargs) }}`,
    compiled: false,
    depends_on: { macros: [`macro.${p.projectName}.test_${p.definition.testName}`], nodes: p.dependsOn },
    refs: p.refs,
    sources: p.sources,
    columns: {},
    patch_path: null,
    unrendered_config: { ...p.definition.config },
    created_at: p.createdAt,
    test_metadata: { name: p.definition.testName, kwargs: p.kwargs, namespace: p.definition.namespace },
    column_name: p.column,
    attached_node: p.targetId,
    file_key_name: `models.${p.targetName}`,
  };
}

/** dbt's naming of generic tests: `not_null_orders_id`, `accepted_values_orders_status__placed__shipped`. */
export function genericTestName(
  definition: TestDefinition,
  targetName: string,
  kwargs: Record<string, unknown>,
  onSource = false,
): string {
  const flat: string[] = [];
  for (const key of Object.keys(kwargs).sort()) {
    if (key === 'model') continue;
    const value = kwargs[key];
    const parts = isPlainObject(value) ? Object.values(value) : Array.isArray(value) ? value : [value];
    for (const part of parts) flat.push(String(part).replace(/[^0-9a-zA-Z_]+/g, '_'));
  }
  // dbt names a source's tests `source_<test>_<source>_<table>...`.
  const prefix =
    (onSource ? 'source_' : '') +
    (definition.namespace ? `${definition.namespace}_${definition.testName}` : definition.testName);
  const full = `${prefix}_${targetName}${flat.length ? `_${flat.join('__')}` : ''}`;
  if (full.length < 64) return full;
  const digest = createHash('md5').update(full).digest('hex');
  return `${prefix}_${targetName}_${digest}`.slice(0, 64);
}
