/**
 * The simulator's local CA and HTTPS certificate (src/m365-simulator/certificates.ts, made by
 * tls.ts on a first start): what a client of the simulator relies on. Node's TLS (as undici and
 * MSAL use it) must accept the server for localhost, 127.0.0.1 and ::1 when it trusts the CA, and
 * refuse it when it does not.
 */
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { connect } from 'node:tls';
import { ensureSimulatorCertificates } from '../../src/m365-simulator';
import { tmpDir } from '../integration/harness';

function handshake(port: number, host: string, servername: string | undefined, ca: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host, servername, ca }, () => {
      socket.end();
      resolve('trusted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('simulator certificates', () => {
  let dir = '';
  let server: Server | null = null;
  beforeAll(async () => {
    dir = await tmpDir('caseroom-sim-tls-');
  });
  afterAll(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('makes a CA and a server certificate it issued, for localhost and the loopback addresses, and keeps them', async () => {
    const tls = await ensureSimulatorCertificates(dir);
    const ca = new X509Certificate(tls.caCertPem);
    const cert = new X509Certificate(tls.serverCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    // Extended key usage: a TLS server.
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(new Date(ca.validTo).getTime()).toBeGreaterThan(new Date(cert.validTo).getTime());
    // A second start reads what the first one made.
    expect((await ensureSimulatorCertificates(dir)).serverCertPem).toBe(tls.serverCertPem);
    expect(await fs.readFile(path.join(dir, 'tls', 'ca.crt'), 'utf8')).toBe(tls.caCertPem);
  });

  it('serves TLS that a client trusting the CA accepts, and one that does not refuses', async () => {
    const tls = await ensureSimulatorCertificates(dir);
    server = createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    expect(await handshake(port, '127.0.0.1', 'localhost', tls.caCertPem)).toBe('trusted');
    expect(await handshake(port, '127.0.0.1', undefined, tls.caCertPem)).toBe('trusted');
    expect(await handshake(port, '127.0.0.1', 'localhost', undefined)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await handshake(port, '127.0.0.1', 'example.com', tls.caCertPem)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
