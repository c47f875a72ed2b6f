/**
 * What the emulator keeps in memory: ACR's changeable attributes and timestamps (which
 * distribution has no notion of), the digests pushed through it, and the test controls
 * (request counters, fault rules, the auth switch, the Entra tokens it was handed).
 */

export interface Attributes {
  readonly deleteEnabled: boolean;
  readonly writeEnabled: boolean;
  readonly readEnabled: boolean;
  readonly listEnabled: boolean;
}

export const defaultAttributes: Attributes = {
  deleteEnabled: true,
  writeEnabled: true,
  readEnabled: true,
  listEnabled: true,
};

export const attributeNames = Object.keys(defaultAttributes) as (keyof Attributes)[];

export interface Times {
  readonly createdTime: string;
  readonly lastUpdateTime: string;
}

interface TagRecord extends Times {
  readonly digest: string;
}

export interface RequestCount {
  readonly method: string;
  readonly route: string;
  readonly repository: string | null;
  readonly status: number;
  readonly count: number;
}

export interface FaultRule {
  /** A regular expression tested against the decoded request path. */
  readonly path: string;
  /** Only these methods (upper case); all when absent. */
  readonly methods?: readonly string[];
  /** Answer status; 429 when absent. */
  readonly status?: number;
  /** Retry-After in seconds; 1 when absent. */
  readonly retryAfter?: number;
  /** Fault every Nth matching request (the Nth, 2Nth, ...); 1 = every one. */
  readonly every?: number;
  /** Stop after this many faults; unlimited when absent. */
  readonly times?: number;
}

export interface FaultStatus extends FaultRule {
  readonly id: number;
  readonly matched: number;
  readonly fired: number;
}

export interface Exchange {
  /** The Entra (AAD) access token the client presented. */
  readonly accessToken: string;
  readonly service: string;
  readonly tenant: string | null;
  readonly grantType: string;
  readonly at: string;
}

type Scoped<T> = Map<string, Map<string, T>>;

export class EmulatorState {
  authEnabled = true;
  readonly exchanges: Exchange[] = [];
  private manifestAttributes: Scoped<Attributes> = new Map();
  private tagAttributes: Scoped<Attributes> = new Map();
  private repositoryAttributes = new Map<string, Attributes>();
  private manifestTimes: Scoped<Times> = new Map();
  private tags: Scoped<TagRecord> = new Map();
  private pushed: Scoped<true> = new Map();
  private counts = new Map<string, RequestCount>();
  private faults: FaultStatus[] = [];
  private nextFaultId = 1;

  reset(): void {
    this.authEnabled = true;
    this.exchanges.length = 0;
    for (const map of [this.manifestAttributes, this.tagAttributes, this.manifestTimes]) {
      map.clear();
    }
    this.repositoryAttributes.clear();
    this.tags.clear();
    this.pushed.clear();
    this.counts.clear();
    this.faults = [];
  }

  // --- attributes ---------------------------------------------------------------------

  manifest(repository: string, digest: string): Attributes {
    return this.manifestAttributes.get(repository)?.get(digest) ?? defaultAttributes;
  }

  tag(repository: string, tag: string): Attributes {
    return this.tagAttributes.get(repository)?.get(tag) ?? defaultAttributes;
  }

  repository(repository: string): Attributes {
    return this.repositoryAttributes.get(repository) ?? defaultAttributes;
  }

  setManifest(repository: string, digest: string, changes: Partial<Attributes>): Attributes {
    const next = { ...this.manifest(repository, digest), ...changes };
    scoped(this.manifestAttributes, repository).set(digest, next);
    return next;
  }

  setTag(repository: string, tag: string, changes: Partial<Attributes>): Attributes {
    const next = { ...this.tag(repository, tag), ...changes };
    scoped(this.tagAttributes, repository).set(tag, next);
    return next;
  }

  setRepository(repository: string, changes: Partial<Attributes>): Attributes {
    const next = { ...this.repository(repository), ...changes };
    this.repositoryAttributes.set(repository, next);
    return next;
  }

  /** Whether any manifest or tag of the repository has reads disabled (saves lookups). */
  hasReadLocks(repository: string): boolean {
    if (!this.repository(repository).readEnabled) return true;
    const locked = (map: Scoped<Attributes>) =>
      [...(map.get(repository)?.values() ?? [])].some((a) => !a.readEnabled);
    return locked(this.manifestAttributes) || locked(this.tagAttributes);
  }

  // --- timestamps and pushes ----------------------------------------------------------

  /** Times of a manifest; the first sighting counts as its creation. */
  manifestSeen(repository: string, digest: string): Times {
    const times = scoped(this.manifestTimes, repository);
    const known = times.get(digest);
    if (known) return known;
    const now = new Date().toISOString();
    const created = { createdTime: now, lastUpdateTime: now };
    times.set(digest, created);
    return created;
  }

  /** Times of a tag; a tag seen pointing somewhere new was updated now. */
  tagSeen(repository: string, tag: string, digest: string): Times {
    const tags = scoped(this.tags, repository);
    const known = tags.get(tag);
    if (known?.digest === digest) return known;
    const now = new Date().toISOString();
    const record = { digest, createdTime: known?.createdTime ?? now, lastUpdateTime: now };
    tags.set(tag, record);
    return record;
  }

  /** A manifest PUT through the emulator: remember the digest, and move the tag now. */
  manifestPushed(repository: string, digest: string, tag?: string): void {
    scoped(this.pushed, repository).set(digest, true);
    this.manifestSeen(repository, digest);
    if (!tag) return;
    const tags = scoped(this.tags, repository);
    const now = new Date().toISOString();
    tags.set(tag, { digest, createdTime: tags.get(tag)?.createdTime ?? now, lastUpdateTime: now });
  }

  /** Digests pushed through the emulator (distribution cannot list untagged manifests). */
  pushedDigests(repository: string): string[] {
    return [...(this.pushed.get(repository)?.keys() ?? [])];
  }

  manifestDeleted(repository: string, digest: string): void {
    this.pushed.get(repository)?.delete(digest);
    this.manifestAttributes.get(repository)?.delete(digest);
    this.manifestTimes.get(repository)?.delete(digest);
  }

  tagDeleted(repository: string, tag: string): void {
    this.tags.get(repository)?.delete(tag);
    this.tagAttributes.get(repository)?.delete(tag);
  }

  repositoryDeleted(repository: string): void {
    for (const map of [this.manifestAttributes, this.tagAttributes, this.manifestTimes]) {
      map.delete(repository);
    }
    this.tags.delete(repository);
    this.pushed.delete(repository);
    this.repositoryAttributes.delete(repository);
  }

  // --- counters and faults ------------------------------------------------------------

  count(method: string, route: string, repository: string | undefined, status: number): void {
    const key = JSON.stringify([method, route, repository ?? null, status]);
    const known = this.counts.get(key);
    const count = (known?.count ?? 0) + 1;
    this.counts.set(key, { method, route, repository: repository ?? null, status, count });
  }

  requestCounts(): RequestCount[] {
    return [...this.counts.values()];
  }

  clearCounts(): void {
    this.counts.clear();
  }

  addFault(rule: FaultRule): FaultStatus {
    const fault = { ...rule, id: this.nextFaultId++, matched: 0, fired: 0 };
    this.faults.push(fault);
    return fault;
  }

  clearFaults(): void {
    this.faults = [];
  }

  faultStatus(): FaultStatus[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** The fault to answer with for this request, if a rule's turn has come. */
  takeFault(method: string, path: string): FaultStatus | undefined {
    for (const [index, fault] of this.faults.entries()) {
      if (fault.methods && !fault.methods.includes(method)) continue;
      if (!new RegExp(fault.path).test(path)) continue;
      if (fault.times !== undefined && fault.fired >= fault.times) continue;
      const matched = fault.matched + 1;
      const fires = matched % Math.max(1, fault.every ?? 1) === 0;
      const next = { ...fault, matched, fired: fault.fired + (fires ? 1 : 0) };
      this.faults[index] = next;
      if (fires) return next;
    }
    return undefined;
  }
}

function scoped<T>(map: Scoped<T>, repository: string): Map<string, T> {
  let inner = map.get(repository);
  if (!inner) {
    inner = new Map();
    map.set(repository, inner);
  }
  return inner;
}
