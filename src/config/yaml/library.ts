import { createRequire } from 'node:module';

type YamlLibrary = typeof import('yaml');
let loaded: YamlLibrary | undefined;

/**
 * The `yaml` package, loaded on first use: most project files take the fast parser, and loading the
 * package costs every command about 60 ms at start-up.
 */
export function yamlLibrary(): YamlLibrary {
  return (loaded ??= createRequire(import.meta.url)('yaml') as YamlLibrary);
}
