/** The local Genesys Cloud emulator: startEmulator() and its shapes. */
export { startEmulator } from './server.js';
export { defaultSettings, DEFAULT_ALLOWED_CONTENT_TYPES } from './settings.js';
export { DEMO_CLIENT } from './types.js';
export { DEMO_DEPLOYMENT_ID } from './web-messaging/settings.js';
export type { WebMessagingDeployment, WebMessagingLimits, WebMessagingSettings, WebMessagingSettingsInput } from './web-messaging/settings.js';
export type { WmFaultRule } from './web-messaging/faults.js';
export type { WebMessagingView } from './web-messaging/view.js';
export type {
  EmulatorClient,
  EmulatorHandle,
  EmulatorRoute,
  EmulatorSettings,
  EmulatorSettingsInput,
  EmulatorSettingsPatch,
  EmulatorState,
  FaultAction,
  FaultRule,
  Permission,
  RequestLogEntry,
  RouteCounters,
  StartEmulatorOptions,
} from './types.js';
