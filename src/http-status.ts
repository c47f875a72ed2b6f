/**
 * The HTTP status of an Azure SDK failure. Duck-typed: each SDK package may bundle its own
 * copy of RestError, so `instanceof` across packages is not reliable.
 */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('statusCode' in err)) return undefined;
  const status = (err as { statusCode: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service's error code (x-ms-error-code), where one came back. */
export function errorCodeOf(err: unknown): string | undefined {
  const details = (err as { details?: { errorCode?: unknown } } | null)?.details;
  return typeof details?.errorCode === 'string' ? details.errorCode : undefined;
}
