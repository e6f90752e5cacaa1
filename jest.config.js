// PGlite loads Node built-ins with dynamic import(), which Jest's VM allows only with this flag.
if (!`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('--experimental-vm-modules')) {
  throw new Error('Run the tests with `npm test`, or `npm run jest -- <paths>` for some of them: PGlite needs node --experimental-vm-modules, and the store suite a PostgreSQL; those scripts provide both.');
}

/** One Jest run for every suite; SWC strips types so tests start fast on a 2-core machine. */
module.exports = {
  testEnvironment: 'node',
  // Unit tests of pure code sit beside it in src/, bot/ and tab/; the rest live in tests/.
  roots: ['<rootDir>/tests', '<rootDir>/src', '<rootDir>/bot', '<rootDir>/tab'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true } }, module: { type: 'commonjs' } }] },
  setupFilesAfterEnv: ['<rootDir>/tests/support/jest-setup.ts'],
  // Generous: suites start PGlite, the simulator and the app in their hooks, and must pass on a busy machine.
  testTimeout: 180000,
  maxWorkers: 2,
  verbose: false,
};
