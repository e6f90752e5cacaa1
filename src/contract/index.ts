/**
 * The HTTP API's contract, shared by the server and the tab: request schemas (zod), the
 * answers each route returns, and the enums both sides speak. It imports only zod, so the
 * domain, the store and the browser bundle may all depend on it. The tab imports types from
 * here with `import type` (erased, so zod stays out of its bundle) and run-time constants
 * from './enums' only.
 */
export * from './enums';
export * from './people';
export * from './cases';
export * from './sharing';
export * from './ledger';
export * from './portal';
export * from './audit';
export * from './firm';
export * from './tab-settings';
export * from './access-reviews';
export * from './guardrails';
export * from './live';
export * from './closure';
export * from './names';
export * from './views';
export * from './firm-views';
export * from './sharepoint-access';
export * from './setup';
