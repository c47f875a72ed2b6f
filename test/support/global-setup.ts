/**
 * vitest globalSetup for the integration project: starts the services once per run, hands
 * their facts to test files (`inject('services')`), and stops every process at teardown.
 *
 * The CA itself is made earlier, in vitest.config.ts: workers are forked with a copy of
 * process.env taken before this runs, and Node reads NODE_EXTRA_CA_CERTS only at start.
 */
// The empty type import makes 'vitest' part of any program that compiles this file (the build
// config has no test files), so the augmentation below has a module to augment.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startServices, type ServiceFacts } from './services.js';
import { prepareTestTls } from './tls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceFacts;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tls = prepareTestTls();
  if (process.env.NODE_EXTRA_CA_CERTS !== tls.caFile) {
    throw new Error(
      `NODE_EXTRA_CA_CERTS: expected ${tls.caFile} (set by vitest.config.ts), ` +
        `got ${process.env.NODE_EXTRA_CA_CERTS ?? 'nothing'}; test workers would not trust ` +
        "the test services. Run vitest with this repository's vitest.config.ts.",
    );
  }
  // startServices stops whatever it started when a later step fails.
  const services = await startServices({ tls });
  project.provide('services', services.facts);
  return () => services.stop();
}
