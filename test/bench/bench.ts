/**
 * `npm run bench`: starts the test services, measures, prints figures, stops them.
 * A script, not a test: figures vary by machine and go into notes, not assertions.
 */
import { startServices } from '../support/services.js';
import { prepareTestTls, relaunchTrustingTestCa } from '../support/tls.js';
import { benchEvents, formatEventBench } from './event-bench.js';
import { benchScan, formatScanBench } from './scan-bench.js';

const tls = prepareTestTls();
relaunchTrustingTestCa(tls);

const services = await startServices({ tls });
try {
  console.log(`cores: ${(await import('node:os')).cpus().length}, node ${process.version}`);
  console.log(formatEventBench(await benchEvents(services, { images: 300, concurrency: 8 })));
  console.log(formatScanBench(await benchScan(services, { images: 200, concurrencies: [1, 16] })));
} finally {
  await services.stop();
}
