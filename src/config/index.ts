/**
 * Project configuration: project.yml, profiles.yml, property YAML and --vars, validated, with
 * errors that name file:line:col and the allowed values.
 */
export { loadProjectConfig, parseProjectConfig, PROJECT_FILES, PROJECT_KEYS } from './project.js';
export {
  findProfilesFile,
  loadTarget,
  parseTarget,
  HIVE_AUTH,
  HIVE_TRANSPORT,
  type LoadTargetOptions,
} from './profiles.js';
export { parsePropertyFile } from './properties.js';
export { resolveFolderConfig } from './configTree.js';
export { parseVarsFlag } from './vars.js';
export {
  validateNodeConfig,
  configErrors,
  checkConfig,
  mergeConfig,
  normalizeConfigKey,
  hookList,
  tagList,
  isKnownConfig,
  KNOWN_CONFIGS,
  TEST_CONFIGS,
  MATERIALIZATIONS,
  ON_SCHEMA_CHANGE,
  INCREMENTAL_STRATEGIES,
  FILE_FORMATS,
  type SourceLocationLike,
} from './nodeConfig.js';
export { renderEnvVars, type Env } from './envVar.js';
export type * from './types.js';
