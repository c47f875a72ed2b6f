/**
 * The ACR emulator: ACR's token flow and /acr/v1 metadata API in front of a real
 * docker-registry, plus test controls. See acr-emulator/server.ts for the request path and
 * acr-emulator/client.ts for the controls.
 */
export { AcrEmulator, startAcrEmulator, type AcrEmulatorOptions } from './acr-emulator/server.js';
export {
  EmulatorClient,
  type Exchange,
  type FaultRule,
  type FaultStatus,
  type RequestCount,
  type RequestFilter,
} from './acr-emulator/client.js';
export type { Route } from './acr-emulator/paths.js';
