/**
 * The composition root: settings, credential, store and registry adapters, built once per
 * process and shared by every function invocation (so the digest cache is shared too).
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { loadConfig, type Config } from './config.js';
import { AcrRegistry } from './registry/acr.js';
import { DigestCache } from './registry/digest-cache.js';
import type { RegistryPort } from './registry/port.js';
import type { ComplianceStore } from './store/port.js';
import { createTableStore } from './store/table-store.js';

export interface App {
  readonly config: Config;
  readonly credential: TokenCredential;
  readonly store: ComplianceStore;
  readonly registryFor: (registry: string) => RegistryPort;
}

export interface AppOverrides {
  /** Tests pass a credential; in Azure the managed identity is used. */
  readonly credential?: TokenCredential;
  readonly onRegistryRequest?: (operation: string) => void;
}

export function createApp(
  env: Readonly<Record<string, string | undefined>>,
  overrides: AppOverrides = {},
): App {
  const config = loadConfig(env, { table: true });
  // AZURE_CLIENT_ID picks the user-assigned identity; locally `az login` is used instead.
  const credential =
    overrides.credential ??
    new DefaultAzureCredential(config.clientId ? { managedIdentityClientId: config.clientId } : {});
  const store = createStore(config, credential);
  const cache = new DigestCache();
  const registries = new Map<string, RegistryPort>();
  const registryFor = (registry: string): RegistryPort => {
    if (!config.allowedRegistries.includes(registry)) {
      throw new Error(`registry "${registry}" is not in ALLOWED_REGISTRIES`);
    }
    let port = registries.get(registry);
    if (!port) {
      port = new AcrRegistry({
        registry,
        credential,
        cache,
        ...(overrides.onRegistryRequest ? { onRequest: overrides.onRegistryRequest } : {}),
      });
      registries.set(registry, port);
    }
    return port;
  };
  return { config, credential, store, registryFor };
}

/** The compliance store the settings name: the table URL with the identity, or Azurite. */
export function createStore(config: Config, credential: TokenCredential): ComplianceStore {
  return createTableStore({
    tableName: config.tableName,
    ...(config.tableUrl !== undefined ? { url: config.tableUrl } : {}),
    ...(config.tableConnectionString !== undefined
      ? { connectionString: config.tableConnectionString }
      : {}),
    credential,
  });
}

let shared: { app: App; tableReady: Promise<void> } | undefined;

/** The process-wide app, built from the environment on first use; the table is created once. */
export async function processApp(): Promise<App> {
  if (!shared) {
    const app = createApp(process.env);
    shared = { app, tableReady: app.store.ensureTable() };
    // A failed creation is retried by the next invocation rather than cached forever.
    shared.tableReady.catch(() => (shared = undefined));
  }
  await shared.tableReady;
  return shared.app;
}
