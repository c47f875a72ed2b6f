/**
 * A queue between one producer (the listing) and several workers. The producer waits while
 * the queue is full, so a registry of millions of tags is never held in memory at once.
 */
export class WorkQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: (() => void)[] = [];
  private readonly putters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Waits for room, then adds; false once the queue is closed. */
  async put(item: T): Promise<boolean> {
    while (!this.closed && this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.putters.push(resolve));
    }
    if (this.closed) return false;
    this.items.push(item);
    this.takers.shift()?.();
    return true;
  }

  /** The next item; undefined once the queue is closed and empty. */
  async take(): Promise<T | undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.putters.shift()?.();
        return item;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => this.takers.push(resolve));
    }
  }

  /** No more items will come; takers drain what is left. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.takers.splice(0), ...this.putters.splice(0)]) wake();
  }

  /** Closes and hands back what was never taken. */
  drain(): T[] {
    this.close();
    return this.items.splice(0);
  }
}
