/**
 * All test services at once: docker-registry and Azurite as processes (stopped by PID), the
 * ACR emulator in this process in front of the registry. Used by vitest's globalSetup and by
 * the benchmark; no vitest imports here.
 */
import { startAcrEmulator, type AcrEmulator } from './acr-emulator.js';
import { startAzurite, type AzuriteService } from './azurite.js';
import { startRegistry, type RegistryService } from './registry.js';
import { prepareTestTls, type TestTls } from './tls.js';

/** Plain data about the running services: what test workers get through `inject`. */
export interface ServiceFacts {
  readonly registry: { readonly url: string; readonly host: string; readonly storageDir: string };
  readonly emulator: {
    readonly url: string;
    readonly host: string;
    /** For skopeo --creds and PushClient credentials: pushes through the emulator need them. */
    readonly admin: { readonly username: string; readonly password: string };
  };
  readonly azurite: { readonly connectionString: string; readonly tableEndpoint: string };
  readonly tls: { readonly dir: string; readonly caFile: string; readonly certDir: string };
}

export interface Services {
  readonly registry: RegistryService;
  readonly emulator: AcrEmulator;
  readonly azurite: AzuriteService;
  readonly tls: TestTls;
  readonly facts: ServiceFacts;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}

export interface ServicesOptions {
  readonly tls?: TestTls;
  /** Path of docker-registry; /usr/bin/docker-registry by default. */
  readonly registryBinary?: string;
}

/** Starts everything, or, when any part fails, stops what did start and throws. */
export async function startServices(options: ServicesOptions = {}): Promise<Services> {
  const tls = options.tls ?? prepareTestTls();
  const registryOptions = {
    tls,
    ...(options.registryBinary ? { binary: options.registryBinary } : {}),
  };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const pending = stops.splice(0).reverse();
    const results = await Promise.allSettled(pending.map((stop) => stop()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    // The two processes start in parallel; whichever came up is stopped if the other failed.
    const [registry, azurite] = await settleBoth(
      startRegistry(registryOptions),
      startAzurite(),
      stops,
    );
    const emulator = await startAcrEmulator({
      registryUrl: registry.url,
      tls,
      storageDir: registry.storageDir,
    });
    stops.push(() => emulator.stop());
    return {
      registry,
      emulator,
      azurite,
      tls,
      facts: facts(registry, emulator, azurite, tls),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

/**
 * A private emulator in the calling process, in front of the shared registry: for tests that
 * flip global switches (auth off, reset) and must not disturb other test files running in
 * parallel. Its attributes and counters are its own.
 */
export function startPrivateEmulator(services: ServiceFacts): Promise<AcrEmulator> {
  return startAcrEmulator({
    registryUrl: services.registry.url,
    tls: prepareTestTls(services.tls.dir),
    storageDir: services.registry.storageDir,
  });
}

async function settleBoth<A extends { stop(): Promise<void> }, B extends { stop(): Promise<void> }>(
  a: Promise<A>,
  b: Promise<B>,
  stops: (() => Promise<void>)[],
): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  for (const result of [first, second]) {
    if (result.status === 'fulfilled') stops.push(() => result.value.stop());
  }
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

function facts(
  registry: RegistryService,
  emulator: AcrEmulator,
  azurite: AzuriteService,
  tls: TestTls,
): ServiceFacts {
  return {
    registry: { url: registry.url, host: registry.host, storageDir: registry.storageDir },
    emulator: { url: emulator.url, host: emulator.host, admin: emulator.admin },
    azurite: { connectionString: azurite.connectionString, tableEndpoint: azurite.tableEndpoint },
    tls: { dir: tls.dir, caFile: tls.caFile, certDir: tls.certDir },
  };
}
