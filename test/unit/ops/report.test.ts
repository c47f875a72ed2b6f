import { describe, expect, it } from 'vitest';
import { parseSince, reasonsOf, summarizeRecords } from '../../../src/scan/report.js';
import { actionRow, tagRow } from './records.js';

const now = '2026-02-01T00:00:00.000Z';

const tags = [
  tagRow('team/app', 'v1', 'noncompliant'),
  tagRow('team/app', 'v2', 'compliant'),
  tagRow('team/app', 'v2.sig', 'exempt'),
  tagRow('team/api', 'v1', 'compliant'),
  tagRow('legacy/base', 'old', 'noncompliant', { eventTime: '2025-06-01T00:00:00.000Z' }),
  tagRow('legacy/base', 'broken', 'error'),
  tagRow('legacy/base', 'gone', 'noncompliant', { deleted: true }),
];

const actions = [
  actionRow('team/app', 'v1', 'quarantine', '2026-01-10T00:00:02.000Z'),
  actionRow('legacy/base', 'old', 'retag', '2025-06-01T00:00:02.000Z'),
  actionRow('team/app', 'v1', 'release', '2026-01-12T00:00:00.000Z'),
];

describe('summarizeRecords', () => {
  it('lists noncompliant tags by default, deleted ones left out, with reasons and fixes', () => {
    const report = summarizeRecords(tags, actions, {}, now);

    expect(report.tags.map((t) => `${t.repository}:${t.tag}`)).toEqual([
      'legacy/base:old',
      'team/app:v1',
    ]);
    expect(report.tags[1]?.reasons).toEqual([
      { id: 'oci-index', message: 'an OCI index', fix: 'build with oci-mediatypes=false' },
    ]);
  });

  it.each([
    ['compliant', ['team/api:v1', 'team/app:v2']],
    ['exempt', ['team/app:v2.sig']],
    ['error', ['legacy/base:broken']],
  ] as const)('lists %s tags when asked', (status, expected) => {
    const report = summarizeRecords(tags, actions, { status }, now);

    expect(report.tags.map((t) => `${t.repository}:${t.tag}`)).toEqual(expected);
  });

  it('lists every current tag with status any, and deleted ones too when asked', () => {
    expect(summarizeRecords(tags, [], { status: 'any' }, now).tags).toHaveLength(6);
    const all = summarizeRecords(tags, [], { status: 'any', includeDeleted: true }, now);
    expect(all.tags).toHaveLength(7);
  });

  it('counts totals and per-repository compliance over all current tags, worst first', () => {
    const report = summarizeRecords(tags, actions, { status: 'compliant' }, now);

    expect(report.totals.byStatus).toEqual({ compliant: 2, noncompliant: 2, exempt: 1, error: 1 });
    expect(report.totals.compliancePercent).toBe(60);
    expect(report.repositories.map((r) => [r.repository, r.tags, r.compliancePercent])).toEqual([
      ['legacy/base', 2, 0],
      ['team/app', 3, 66.7],
      ['team/api', 1, 100],
    ]);
  });

  it('keeps repositories matching any of the globs', () => {
    const report = summarizeRecords(tags, actions, { repositories: ['team/*'] }, now);

    expect(report.repositories.map((r) => r.repository)).toEqual(['team/app', 'team/api']);
    expect(report.tags.map((t) => t.tag)).toEqual(['v1']);
    expect(report.actions.map((a) => a.action)).toEqual(['release', 'quarantine']);
  });

  it('applies since to push times of tags and to action times, newest action first', () => {
    const since = '2026-01-01T00:00:00.000Z';
    const report = summarizeRecords(tags, actions, { since }, now);

    expect(report.tags.map((t) => t.tag)).toEqual(['v1']);
    expect(report.actions.map((a) => [a.action, a.at])).toEqual([
      ['release', '2026-01-12T00:00:00.000Z'],
      ['quarantine', '2026-01-10T00:00:02.000Z'],
    ]);
  });

  it('says n/a (null) for a repository with no verdict but errors', () => {
    const report = summarizeRecords([tagRow('x/y', 'a', 'error')], [], {}, now);

    expect(report.repositories[0]?.compliancePercent).toBeNull();
  });
});

describe('reasonsOf', () => {
  it('falls back to the reason ids when the JSON column is truncated or unreadable', () => {
    const truncated = { reasons: 'oci-index,oci-layer', reasonDetails: '{"truncated":true}' };

    expect(reasonsOf(truncated)).toEqual([
      { id: 'oci-index', message: '' },
      { id: 'oci-layer', message: '' },
    ]);
    expect(reasonsOf({ reasons: '', reasonDetails: 'not json' })).toEqual([]);
  });
});

describe('parseSince', () => {
  const at = new Date('2026-02-01T12:00:00.000Z');

  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T10:00:00Z', '2026-01-31T10:00:00.000Z'],
    ['2026-01-31T10:00:00+02:00', '2026-01-31T08:00:00.000Z'],
    ['7d', '2026-01-25T12:00:00.000Z'],
    ['12h', '2026-02-01T00:00:00.000Z'],
    ['30m', '2026-02-01T11:30:00.000Z'],
  ])('reads %s', (text, expected) => {
    expect(parseSince(text, at)).toBe(expected);
  });

  it.each(['yesterday', '7 days', '2026-13-45', '', '1w', '31/01/2026'])('refuses %j', (text) => {
    expect(parseSince(text, at)).toBeUndefined();
  });
});
