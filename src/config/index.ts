export { resolveConfig, type ResolvedConfig, type ResolveConfigInput, type ConfigFlags } from './resolve-config.js';
export { GENESYS_REGIONS, regionOrigins } from './regions.js';
