import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { DomainError, type DomainErrorCode } from '../domain/errors';

/** The one place expected failures become HTTP. Anything else is a bug: 500, logged loudly. */
const STATUS: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_set_up: 403,
  not_staff: 403,
  admin_only: 403,
  setup_admin_only: 403,
  not_found: 404,
  conflict: 409,
  confirmation_required: 409,
  refused_by_policy: 403,
  case_closed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  throttled: 429,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; field?: string; confirmationRequired?: unknown; refused?: unknown };
}

export function toHttpError(err: unknown, requestId: string): { status: number; body: ErrorBody; retryAfter?: number; expected: boolean } {
  if (err instanceof DomainError) {
    return {
      status: STATUS[err.code],
      body: { error: { ...err.details, code: err.code, message: err.message, requestId, ...(err.field ? { field: err.field } : {}) } },
      retryAfter: err.retryAfterSeconds,
      expected: true,
    };
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const field = issue?.path.map(String).join('.') || 'body';
    return { status: 400, body: { error: { code: 'validation_failed', message: `${field}: ${issue?.message ?? 'invalid'}`, requestId, field } }, expected: true };
  }
  // body-parser's own errors carry a status and a type.
  const bodyError = err as { status?: number; type?: string; message?: string };
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500 && typeof bodyError.type === 'string') {
    const code = bodyError.type === 'entity.too.large' ? 'payload_too_large' : bodyError.type === 'entity.parse.failed' ? 'validation_failed' : 'bad_request';
    const message = bodyError.type === 'entity.parse.failed' ? 'the request body is not valid JSON' : (bodyError.message ?? 'bad request');
    return { status: bodyError.status, body: { error: { code, message, requestId, ...(code === 'validation_failed' ? { field: 'body' } : {}) } }, expected: true };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'something went wrong on our side; it has been logged', requestId } }, expected: false };
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(req.id ?? '');
  const mapped = toHttpError(err, requestId);
  if (mapped.expected) req.log?.warn({ status: mapped.status, code: mapped.body.error.code, field: mapped.body.error.field, msg: mapped.body.error.message }, 'request refused');
  else req.log?.error({ err }, 'unexpected error');
  if (mapped.retryAfter !== undefined) res.setHeader('Retry-After', String(mapped.retryAfter));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(mapped.status).json(mapped.body);
};

export const notFoundHandler: RequestHandler = (req, res) => {
  req.log?.warn({ path: req.path }, 'no such route');
  res.status(404).json({ error: { code: 'not_found', message: 'no such endpoint', requestId: String(req.id ?? '') } } satisfies ErrorBody);
};
