import { ConfigError, loadConfig, TENANT_REQUIRED } from '../../src/config';
import { GENESIS_HASH, hashAuditEntry, verifyChain, type ChainedAuditEntry } from '../../src/domain/audit-chain';
import { checkItemName, checkRelativePath, checkUploadName } from '../../src/domain/filenames';

describe('file names SharePoint accepts', () => {
  it.each([
    ['Knee MRI report.pdf', true],
    ['a:b.pdf', false],
    ['what?.docx', false],
    ['trailing.', false],
    [' leading space.pdf', false],
    ['CON', false],
    ['con.txt', false],
    ['~$lock.docx', false],
    ['_vti_cnf', false],
    ['tab\there.pdf', false],
    ['x'.repeat(256), false],
    ['', false],
  ])('%j → %s', (name, ok) => {
    expect(checkItemName(name).ok).toBe(ok);
  });

  it('refuses executables and scripts on upload', () => {
    expect(checkUploadName('invoice.pdf.exe')).toEqual({ ok: false, reason: '.exe files are not accepted' });
    expect(checkUploadName('scan.PDF').ok).toBe(true);
  });

  it.each([
    ['scans/2026/page1.pdf', true],
    ['../../etc/passwd', false],
    ['scans/../../x.pdf', false],
    ['/abs/path.pdf', false],
    ['C:\\Windows\\x.pdf', false],
    [`${'d/'.repeat(201)}f.pdf`, false],
    ['ok/ba|d.pdf', false],
  ])('zip path %j → %s', (path, ok) => {
    expect(checkRelativePath(path).ok).toBe(ok);
  });
});

describe('audit chain', () => {
  const chain = (): ChainedAuditEntry[] => {
    let prev = GENESIS_HASH;
    return [1, 2, 3].map((seq) => {
      const content = { firmId: 'f', seq, at: `2030-01-0${seq}T00:00:00.000Z`, actor: 'staff:x', action: 'grant.added', target: 'contact:y', reason: null, data: { n: seq, z: { b: 1, a: 2 } } };
      const hash = hashAuditEntry(prev, content);
      const entry = { ...content, prevHash: prev, hash };
      prev = hash;
      return entry;
    });
  };

  it('verifies an intact chain, whatever the key order of its data', () => {
    const entries = chain();
    entries[1] = { ...entries[1], data: { z: { a: 2, b: 1 }, n: 2 } };
    expect(verifyChain(entries)).toMatchObject({ ok: true, entries: 3 });
  });

  it('names the first entry that was edited, removed or re-linked', () => {
    const edited = chain();
    edited[1] = { ...edited[1], actor: 'staff:someone-else' };
    expect(verifyChain(edited)).toMatchObject({ ok: false, brokenAtSeq: 2 });
    const removed = chain().filter((e) => e.seq !== 2);
    expect(verifyChain(removed)).toMatchObject({ ok: false, brokenAtSeq: 2, problem: 'entry 2 is missing' });
    const relinked = chain();
    relinked[2] = { ...relinked[2], prevHash: GENESIS_HASH };
    expect(verifyChain(relinked)).toMatchObject({ ok: false, brokenAtSeq: 3 });
  });
});

describe('configuration', () => {
  it('stops a tenant deployment that lacks settings, naming each one', () => {
    expect(() => loadConfig({ M365_MODE: 'tenant', M365_TENANT_ID: 't' })).toThrow(new RegExp(TENANT_REQUIRED.filter((n) => n !== 'M365_TENANT_ID').join(', ')));
  });

  it('defaults to tenant mode in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/missing required settings for a tenant: PUBLIC_BASE_URL/);
  });

  it('derives every Microsoft 365 endpoint from the simulator URL locally, and PGlite without DATABASE_URL', () => {
    const config = loadConfig({ SIMULATOR_URL: 'https://127.0.0.1:4443' });
    expect(config.m365.graphBaseUrl).toBe('https://127.0.0.1:4443/v1.0');
    expect(config.identity.issuer).toBe(`https://127.0.0.1:4443/${config.identity.tenantId}/v2.0`);
    expect(config.store.kind).toBe('pglite');
    expect(loadConfig({ SIMULATOR_URL: 'https://x', DATABASE_URL: 'postgres://u@h/db' }).store.kind).toBe('postgres');
  });

  it('rejects a malformed setting with its name', () => {
    expect(() => loadConfig({ SIMULATOR_URL: 'https://x', PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('stops start-up on a bad Microsoft 365 gateway setting with a configuration error naming each one', () => {
    const load = () => loadConfig({ SIMULATOR_URL: 'https://x', M365_DRIFT_POLICY: 'sometimes', M365_UPLOAD_CHUNK_BYTES: '1024' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/M365_DRIFT_POLICY: .*M365_UPLOAD_CHUNK_BYTES: /);
  });

  it('hands the gateway its settings from the same environment', () => {
    const config = loadConfig({ SIMULATOR_URL: 'https://x', M365_RESOURCE_UNITS_PER_MINUTE: '6250', M365_UPLOAD_CHUNK_BYTES: String(327_680 * 3 + 5) });
    expect(config.m365.settings).toMatchObject({ unitsPerMinute: 6250, uploadChunkBytes: 327_680 * 3, driftPolicy: 'repair' });
  });
});
