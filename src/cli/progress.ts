/**
 * Scan progress on stderr: one bar, redrawn in place, on a terminal; plain lines at a steady
 * pace otherwise (CI logs, pipes), so a log is readable afterwards.
 */
import type { ScanProgress } from '../scan/scan-registry.js';
import type { CliIO } from './io.js';

export interface ProgressView {
  update(progress: ScanProgress): void;
  /** A line that must not be overdrawn (a warning); the bar follows it. */
  note(line: string): void;
  /** Draws the last state once more and leaves the bar in place. */
  done(): void;
}

const barWidth = 24;
/** Up to ten redraws a second on a terminal; a line every five seconds otherwise. */
const ttyIntervalMs = 100;
const plainIntervalMs = 5_000;
/** Moves the cursor up a line and clears it (ANSI CSI sequences). */
const clearLine = '\u001b[1A\u001b[2K';

export function progressView(io: CliIO, clock: () => number = Date.now): ProgressView {
  const started = clock();
  let last: ScanProgress | undefined;
  let drawnAt = Number.NEGATIVE_INFINITY;
  let barShown = false;

  const draw = (force: boolean): void => {
    if (!last) return;
    const now = clock();
    const interval = io.isTTY ? ttyIntervalMs : plainIntervalMs;
    if (!force && now - drawnAt < interval) return;
    drawnAt = now;
    if (io.isTTY) {
      io.err((barShown ? clearLine : '') + barLine(last, now - started));
      barShown = true;
    } else {
      io.err(plainLine(last, now - started));
    }
  };

  return {
    update: (progress) => {
      last = progress;
      draw(false);
    },
    note: (line) => {
      if (io.isTTY && barShown) {
        io.err(clearLine + line);
        barShown = false;
        draw(true);
      } else {
        io.err(line);
      }
    },
    done: () => draw(true),
  };
}

export function barLine(p: ScanProgress, elapsedMs: number): string {
  const fraction = fractionOf(p);
  const filled = Math.round(fraction * barWidth);
  const bar = '#'.repeat(filled) + '.'.repeat(barWidth - filled);
  const counts = `${p.tags.done}/${p.tags.found}${p.phase === 'listing' ? '+' : ''}`;
  const eta = etaOf(fraction, elapsedMs);
  return [
    `[${bar}] ${counts} tags`,
    `repos ${p.repositories.listed}/${p.repositories.total}`,
    `new ${p.recorded} seen ${p.skipped} failed ${p.failed}`,
    p.throttled > 0 ? `429s ${p.throttled} (x${p.concurrency})` : '',
    eta,
  ]
    .filter((part) => part !== '')
    .join('  ');
}

export function plainLine(p: ScanProgress, elapsedMs: number): string {
  const percent = Math.floor(fractionOf(p) * 100);
  return (
    `scan: ${p.phase}, ${p.tags.done} of ${p.tags.found} tags found so far (${percent}%), ` +
    `${p.repositories.listed} of ${p.repositories.total} repositories listed, ` +
    `recorded ${p.recorded}, already recorded ${p.skipped}, failed ${p.failed}, ` +
    `throttled ${p.throttled}, concurrency ${p.concurrency}, ${seconds(elapsedMs)} elapsed`
  );
}

/** Repositories listed weigh in while listing, so the bar moves before the total is known. */
function fractionOf(p: ScanProgress): number {
  if (p.phase === 'done') return 1;
  const listed = p.repositories.total === 0 ? 1 : p.repositories.listed / p.repositories.total;
  const tags = p.tags.found === 0 ? 0 : p.tags.done / p.tags.found;
  return Math.min(1, listed * tags);
}

function etaOf(fraction: number, elapsedMs: number): string {
  if (fraction <= 0.02 || fraction >= 1) return '';
  return `eta ${seconds((elapsedMs / fraction) * (1 - fraction))}`;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
