/**
 * A typed client for the emulator's /_emulator/ test controls. Works from any process (a
 * vitest worker, the benchmark, a CLI test), since the controls are plain HTTPS.
 */
import { httpsRequest, jsonBody } from '../https.js';
import type { Exchange, FaultRule, FaultStatus, RequestCount } from './state.js';

export type { Exchange, FaultRule, FaultStatus, RequestCount } from './state.js';

/** Matches request counters; every given field must be equal (status may be a list). */
export interface RequestFilter {
  readonly method?: string;
  readonly route?: string;
  readonly repository?: string;
  readonly status?: number | readonly number[];
}

export class EmulatorClient {
  constructor(
    /** https://127.0.0.1:PORT */
    readonly url: string,
    /** PEM to trust; defaults to Node's store (NODE_EXTRA_CA_CERTS in tests). */
    protected readonly ca?: string,
  ) {}

  /** 127.0.0.1:PORT: ACR's login server form, for references and ALLOWED_REGISTRIES. */
  get host(): string {
    return new URL(this.url).host;
  }

  /** Clears attributes, timestamps, counters, faults and exchanges; turns auth back on. */
  async reset(): Promise<void> {
    await this.call('POST', '/_emulator/reset');
  }

  /** Request counters by method, route, repository and status. */
  async requests(filter: RequestFilter = {}): Promise<RequestCount[]> {
    const body = await this.call<{ requests: RequestCount[] }>('GET', '/_emulator/requests');
    return body.requests.filter((entry) => matches(entry, filter));
  }

  /** How many requests matched, e.g. `count({method: 'GET', route: 'manifest'})`. */
  async count(filter: RequestFilter = {}): Promise<number> {
    return (await this.requests(filter)).reduce((sum, entry) => sum + entry.count, 0);
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/_emulator/requests');
  }

  /**
   * Answers `status` (429) with `Retry-After: retryAfter` (seconds) to every `every`th
   * request whose decoded path matches the regular expression `path`, at most `times` times.
   */
  async injectFault(rule: FaultRule): Promise<FaultStatus> {
    return (await this.call<{ fault: FaultStatus }>('POST', '/_emulator/faults', rule)).fault;
  }

  async faults(): Promise<FaultStatus[]> {
    return (await this.call<{ faults: FaultStatus[] }>('GET', '/_emulator/faults')).faults;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/_emulator/faults');
  }

  /** With auth off, /v2 and /acr/v1 answer without tokens (the credential is never called). */
  async setAuth(enabled: boolean): Promise<void> {
    await this.call('PUT', '/_emulator/auth', { enabled });
  }

  /** The Entra tokens clients traded at /oauth2/exchange, oldest first. */
  async exchanges(): Promise<Exchange[]> {
    return (await this.call<{ exchanges: Exchange[] }>('GET', '/_emulator/exchanges')).exchanges;
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await httpsRequest({
      method,
      url: `${this.url}${path}`,
      ca: this.ca,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
        : {}),
    });
    const what = `emulator ${method} ${path}`;
    if (response.status >= 300) {
      throw new Error(`${what}: got ${response.status} ${response.body.toString('utf8')}`);
    }
    return jsonBody<T>(response, what);
  }
}

function matches(entry: RequestCount, filter: RequestFilter): boolean {
  const statuses = filter.status === undefined ? undefined : [filter.status].flat();
  return (
    (filter.method === undefined || entry.method === filter.method) &&
    (filter.route === undefined || entry.route === filter.route) &&
    (filter.repository === undefined || entry.repository === filter.repository) &&
    (statuses === undefined || statuses.includes(entry.status))
  );
}
