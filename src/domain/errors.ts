/**
 * Expected failures, typed. The HTTP layer maps each to one status in one place
 * (src/http/errors.ts); anything else is a bug and is reported as 500 and logged loudly.
 */
export type DomainErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  /** Set-up and roles (403 each): the firm is not set up, the caller is not in its staff group, an admin-only page or action. */
  | 'not_set_up'
  | 'not_staff'
  | 'admin_only'
  | 'setup_admin_only'
  | 'not_found'
  | 'conflict'
  | 'confirmation_required'
  | 'refused_by_policy'
  | 'case_closed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'throttled'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    message: string,
    /** For validation errors: the field that failed, as a dotted path. */
    public readonly field?: string,
    /** For throttling: seconds until a retry may succeed. */
    public readonly retryAfterSeconds?: number,
    /** Typed extra fields of the error body (`confirmationRequired`, `refused`), named by the contract. */
    public readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const invalid = (field: string, message: string) => new DomainError('validation_failed', message, field);
export const conflict = (message: string) => new DomainError('conflict', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
/** The case is closed: nothing new is shared on it, and its guests neither upload nor write (409). */
export const caseClosed = (caseNumber: string, what: string) => new DomainError('case_closed', `case ${caseNumber} is closed: ${what}`);
