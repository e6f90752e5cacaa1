import { id } from '../contract/fields';

/**
 * HTTP-only rules. Request bodies and queries are the API contract's (src/contract); an id in a
 * path is checked with the same rule, and a malformed one answers 404 (it names nothing).
 */
export const idParam = id;
