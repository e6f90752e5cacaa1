import { ApiError, plainMessage } from '../api';

/**
 * A 400 from the API names the field it refuses (`field`, message "name: must not …"): that
 * message, without the field's name, belongs under that field. Anything else is for the form.
 */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiError) || err.code !== 'validation_failed' || err.field !== field) return undefined;
  const text = err.message.startsWith(`${field}: `) ? err.message.slice(field.length + 2) : err.message;
  return plainMessage(new ApiError(err.status, err.code, text, err.requestId));
}

/** The error to show above the form: none when it is shown under one of `fields`. */
export const formError = (err: unknown, fields: readonly string[]): unknown => (fields.some((f) => fieldError(err, f)) ? undefined : err);

/** Fluent `Field` props that put the API's refusal of `field` under it (nothing when it is not refused). */
export function refusedUnder(err: unknown, field: string): { validationMessage?: string; validationState?: 'error' } {
  const message = fieldError(err, field);
  return message ? { validationMessage: message, validationState: 'error' } : {};
}
