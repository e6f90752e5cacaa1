import path from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import type * as contract from '../../src/contract';
import type { PortalService } from '../../src/services/portal';
import type { SharingService } from '../../src/services/sharing';
import type { CaseworkService } from '../../src/services/casework';
import type { toCase, toItem } from '../../src/store/records';
import type * as tab from '../../tab/api';

/**
 * The tab and the server share one API contract (src/contract). The type assertions below are
 * checked by `npm run typecheck`; the tests show what that buys: renaming a field in the
 * contract stops both the server and the tab from compiling, and the tab bundle carries the
 * contract's enums without zod.
 */

// ---- compile-time: the tab's types are the contract's, and the server's answers fit them ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Fits<A, B> = A extends B ? true : false;
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type StaffApi = tab.StaffApi;
type PortalApi = tab.PortalApi;

export const sharedTypes: Array<true> = [
  // The tab's client reads each answer as the contract's type…
  true satisfies Equal<Answer<StaffApi['caseDetail']>, contract.CaseDetail>,
  true satisfies Equal<Answer<StaffApi['cases']>, contract.Case[]>,
  true satisfies Equal<Answer<StaffApi['caseItems']>, contract.CaseSharing>,
  true satisfies Equal<Answer<PortalApi['cases']>, contract.PortalCaseSummary[]>,
  true satisfies Equal<Answer<PortalApi['caseView']>, contract.PortalCase>,
  true satisfies Equal<tab.GrantScope, contract.GrantScope>,
  // …and the server's services and row mapping declare the same types.
  true satisfies Equal<Answer<PortalService['caseView']>, contract.PortalCase>,
  true satisfies Equal<Answer<PortalService['myCases']>, contract.PortalCaseSummary[]>,
  true satisfies Equal<Answer<SharingService['sharingOfCase']>, contract.CaseSharing>,
  true satisfies Equal<Answer<CaseworkService['ledger']>, contract.CaseLedger>,
  true satisfies Fits<ReturnType<typeof toCase>, contract.Case>,
  true satisfies Fits<ReturnType<typeof toItem>, contract.Item>,
];

const root = path.resolve(__dirname, '..', '..');

/** Type-checks `files` with the project's settings, with `renames` applied to the contract's sources in memory. */
function checkWithRenamedContract(renames: Array<{ file: string; from: string; to: string }>, files: string[]): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, ' '));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json did not parse');
  const host = ts.createCompilerHost(config.options);
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError) => {
    const edits = renames.filter((r) => path.resolve(root, r.file) === path.resolve(fileName));
    if (edits.length === 0) return readSource(fileName, language, onError);
    const text = edits.reduce((source, r) => source.replace(new RegExp(`\\b${r.from}\\b`, 'g'), r.to), ts.sys.readFile(fileName) ?? '');
    return ts.createSourceFile(fileName, text, language);
  };
  const program = ts.createProgram({ rootNames: files.map((f) => path.join(root, f)), options: { ...config.options, noEmit: true }, host });
  const errors = new Map<string, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(path.join(root, file));
    if (!source) throw new Error(`${file} is not in the program`);
    errors.set(
      file,
      [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
    );
  }
  return errors;
}

describe('the API contract shared by the server and the tab', () => {
  it('stops the server and the tab compiling when a field they both use is renamed in the contract', () => {
    const files = ['src/store/records.ts', 'src/services/portal.ts', 'tab/api.ts', 'tab/portal/GuestDocuments.tsx'];
    // As the files are: no errors, so the errors below come from the renames alone.
    for (const [file, errors] of checkWithRenamedContract([], files)) expect({ file, errors }).toEqual({ file, errors: [] });

    const errors = checkWithRenamedContract(
      [
        { file: 'src/contract/cases.ts', from: 'statusNote', to: 'statusRemark' },
        { file: 'src/contract/portal.ts', from: 'uploadAnywhere', to: 'uploadToCaseFolder' },
      ],
      files,
    );
    // The store's row mapping and the tab's case client both name statusNote…
    expect(errors.get('src/store/records.ts')?.join('\n')).toMatch(/statusNote/);
    expect(errors.get('tab/api.ts')?.join('\n')).toMatch(/statusNote/);
    // …and the portal service and the guest's documents page both name uploadAnywhere.
    expect(errors.get('src/services/portal.ts')?.join('\n')).toMatch(/uploadAnywhere/);
    expect(errors.get('tab/portal/GuestDocuments.tsx')?.join('\n')).toMatch(/uploadAnywhere/);
  }, 400_000);

  it('is the only part of src/ in the tab bundle, and brings its enums without zod', async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [path.join(root, 'tab', 'main.tsx')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      jsx: 'automatic',
      metafile: true,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => p.split(path.sep).join('/'));
    const fromSrc = inputs.filter((p) => p.startsWith('src/'));
    expect(fromSrc).toContain('src/contract/enums.ts');
    expect(fromSrc.filter((p) => !p.startsWith('src/contract/'))).toEqual([]);
    expect(inputs.filter((p) => p.includes('node_modules/zod/'))).toEqual([]);
  }, 300_000);
});
