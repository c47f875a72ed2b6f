/** Turns a verdict into the compliance table's rows. */
import type { Verdict } from '../domain/verdict-types.js';
import { bounded, reasonColumns, type ComplianceRecord, type RowType } from '../store/records.js';

export interface RecordContext {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly eventTime: string;
  readonly eventId: string;
  readonly checkedAt: string;
  readonly action?: string;
  readonly actionDetail?: string;
}

export function toRecord(
  rowType: RowType,
  verdict: Verdict,
  context: RecordContext,
): ComplianceRecord {
  const details = verdict.image ?? verdict.index ?? {};
  return {
    rowType,
    registry: context.registry,
    repository: context.repository,
    tag: rowType === 'digest' ? '' : (context.tag ?? ''),
    digest: verdict.digest,
    mediaType: verdict.mediaType,
    kind: verdict.kind,
    status: verdict.status,
    ...reasonColumns(verdict.reasons),
    action: context.action ?? 'none',
    eventTime: context.eventTime,
    checkedAt: context.checkedAt,
    policy: verdict.policy,
    artifact: verdict.artifact ?? '',
    convertible: verdict.convertible,
    details: bounded(JSON.stringify(details)),
    deleted: false,
    eventId: context.eventId,
    actionDetail: context.actionDetail ?? '',
  };
}

type Identity = 'rowType' | 'registry' | 'repository' | 'digest' | 'eventTime' | 'checkedAt';

/** A row with no verdict behind it: a refused event, a release of content never recorded. */
export function plainRecord(
  fields: Pick<ComplianceRecord, Identity> & Partial<ComplianceRecord>,
): ComplianceRecord {
  return {
    tag: '',
    mediaType: '',
    kind: 'unknown',
    status: 'error',
    reasons: '',
    reasonDetails: '[]',
    action: 'none',
    policy: 'strict',
    artifact: '',
    convertible: false,
    details: '{}',
    deleted: false,
    eventId: '',
    actionDetail: '',
    ...fields,
  };
}
