/**
 * The CLI as a process, run from source under vite-node: `vite-node ops-cli-runner.ts scan ...`.
 * main.ts starts itself only when it is the script Node runs, which under vite-node it is not.
 */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
