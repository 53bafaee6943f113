export { createTemplateEngine } from './engine.js';
export type { GenericTestInfo, MacroFile, MacroInfo, RenderResult, TemplateEngine } from './engine.js';
export { createBaseContext } from './baseContext.js';
export type { BaseContextOptions } from './baseContext.js';
export { splitArgs } from './args.js';
export { staticParse, staticRender } from './staticParser.js';
export type { StaticCall } from './staticParser.js';
