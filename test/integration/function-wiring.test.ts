/**
 * The exported onRegistryEvent as the Functions host runs it: settings from the environment,
 * the process-wide app built on first use and the table created once. The emulator runs with
 * anonymous access, as the DefaultAzureCredential has no Entra to reach here.
 */
import functions from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AcrEmulator } from '../support/acr-emulator.js';
import { gridEvent } from '../support/events.js';
import { pushImage } from '../support/images.js';
import { PushClient } from '../support/push.js';
import { startPrivateEmulator } from '../support/services.js';

const { InvocationContext } = functions;
const services = inject('services');
const table = `wiring${randomUUID().replace(/-/g, '').slice(0, 12)}`;

let emulator: AcrEmulator;

beforeAll(async () => {
  emulator = await startPrivateEmulator(services);
  await emulator.setAuth(false);
  // Vitest runs each test file in its own process, so these settings stay in this file.
  Object.assign(process.env, {
    ALLOWED_REGISTRIES: emulator.host,
    COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
    COMPLIANCE_TABLE: table,
    POLICY: 'strict',
  });
});

afterAll(() => emulator?.stop());

describe('the exported onRegistryEvent', () => {
  it('reads its settings from the environment, creates the table and records a push', async () => {
    const repository = `wiring/app-${randomUUID().slice(0, 6)}`;
    const image = await pushImage(
      new PushClient({ url: services.registry.url }),
      repository,
      'v1',
      'oci',
    );
    const { onRegistryEvent } = await import('../../src/functions/onRegistryEvent.js');
    const lines: string[] = [];
    const context = new InvocationContext({
      functionName: 'onRegistryEvent',
      logHandler: (_level, ...args) => lines.push(args.join(' ')),
    });

    const outcome = await onRegistryEvent(
      gridEvent({ registry: emulator.host, repository, tag: 'v1', digest: image.digest }),
      context,
    );

    expect(outcome).toMatchObject({
      kind: 'recorded',
      push: { digestRecord: { status: 'noncompliant', kind: 'oci-manifest' } },
    });
    expect(lines).toEqual([expect.stringMatching(/^decision=verdict .* status=noncompliant /)]);
  });
});
