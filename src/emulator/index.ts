/** The local Genesys Cloud emulator: startEmulator() and its shapes. */
export { startEmulator } from './server.js';
export { defaultSettings, DEFAULT_ALLOWED_CONTENT_TYPES } from './settings.js';
export { DEMO_CLIENT } from './types.js';
export type {
  EmulatorClient,
  EmulatorHandle,
  EmulatorRoute,
  EmulatorSettings,
  EmulatorSettingsPatch,
  EmulatorState,
  FaultAction,
  FaultRule,
  Permission,
  RequestLogEntry,
  RouteCounters,
  StartEmulatorOptions,
} from './types.js';
