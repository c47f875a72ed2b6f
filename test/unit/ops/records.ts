/** Compliance rows for the ops unit tests, with only what a test cares about spelled out. */
import type { Status } from '../../../src/domain/verdict-types.js';
import type { ComplianceRecord } from '../../../src/store/records.js';

export function tagRow(
  repository: string,
  tag: string,
  status: Status,
  extra: Partial<ComplianceRecord> = {},
): ComplianceRecord {
  const reasons =
    status === 'noncompliant'
      ? [{ id: 'oci-index', message: 'an OCI index', fix: 'build with oci-mediatypes=false' }]
      : [];
  return {
    rowType: 'tag',
    registry: 'reg.example',
    repository,
    tag,
    digest: `sha256:${tag.padEnd(64, '0')}`,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    kind: status === 'exempt' ? 'artifact' : 'oci-index',
    status,
    reasons: reasons.map((r) => r.id).join(','),
    reasonDetails: JSON.stringify(reasons),
    action: 'none',
    eventTime: '2026-01-10T00:00:00.000Z',
    checkedAt: '2026-01-10T00:00:01.000Z',
    policy: 'strict',
    artifact: status === 'exempt' ? 'signature' : '',
    convertible: true,
    details: '{}',
    deleted: false,
    eventId: `e-${repository}-${tag}`,
    actionDetail: '',
    ...extra,
  };
}

export function actionRow(
  repository: string,
  tag: string,
  action: string,
  at: string,
): ComplianceRecord {
  return {
    ...tagRow(repository, tag, 'noncompliant'),
    rowType: 'action',
    action,
    checkedAt: at,
    actionDetail: `by mediatype-guard; ${action}`,
  };
}
