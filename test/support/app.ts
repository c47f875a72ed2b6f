/**
 * The function app wired to the test services: the exported handler factories over an App
 * built from settings, as in Azure, with the test credential in place of the managed identity.
 */
import functions from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/app.js';
import { registryEventHandler } from '../../src/functions/onRegistryEvent.js';
import { TestCredential } from './credential.js';
import type { ServiceFacts } from './services.js';

const { InvocationContext } = functions;

export interface TestApp {
  readonly app: App;
  readonly credential: TestCredential;
  /** Log lines the handler wrote, `level: line`. */
  readonly logs: string[];
  /** Calls onRegistryEvent as the Functions host would. */
  deliver(event: unknown): ReturnType<ReturnType<typeof registryEventHandler>>;
  readonly tableName: string;
}

/** A fresh table per test app, so tests never see each other's rows. */
export async function testApp(
  services: ServiceFacts,
  settings: Readonly<Record<string, string>> = {},
): Promise<TestApp> {
  const tableName = settings.COMPLIANCE_TABLE ?? `t${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const credential = new TestCredential();
  const app = createApp(
    {
      ALLOWED_REGISTRIES: services.emulator.host,
      COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
      ...settings,
      COMPLIANCE_TABLE: tableName,
    },
    { credential },
  );
  await app.store.ensureTable();
  const logs: string[] = [];
  const handler = registryEventHandler(async () => app);
  const deliver = (event: unknown) => {
    const context = new InvocationContext({
      functionName: 'onRegistryEvent',
      invocationId: randomUUID(),
      logHandler: (level, ...args) => logs.push(`${level}: ${args.join(' ')}`),
    });
    return handler(event, context);
  };
  return { app, credential, logs, deliver, tableName };
}
