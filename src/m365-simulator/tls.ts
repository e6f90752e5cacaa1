/**
 * A private CA and a server certificate for 127.0.0.1/localhost, generated at first start and
 * kept in the data directory. MSAL refuses non-HTTPS authorities, so the identity endpoints
 * must be served over TLS; clients trust `ca.crt` (NODE_EXTRA_CA_CERTS or an agent's `ca`).
 */
import { promises as fs } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { makeCertificate, newEcKey } from './certificates';

export interface TlsMaterial {
  caCertPem: string;
  serverKeyPem: string;
  serverCertPem: string;
  caCertPath: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

export async function loadOrCreateTls(dataDir: string): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'tls');
  const files = { caKey: path.join(dir, 'ca.key'), caCert: path.join(dir, 'ca.crt'), serverKey: path.join(dir, 'server.key'), serverCert: path.join(dir, 'server.crt') };
  try {
    const [caCertPem, serverKeyPem, serverCertPem] = await Promise.all([fs.readFile(files.caCert, 'utf8'), fs.readFile(files.serverKey, 'utf8'), fs.readFile(files.serverCert, 'utf8')]);
    // Regenerate a server certificate that is about to expire rather than fail TLS one day.
    if (new Date(new X509Certificate(serverCertPem).validTo).getTime() - Date.now() > 7 * 24 * 3600 * 1000) {
      return { caCertPem, serverKeyPem, serverCertPem, caCertPath: files.caCert };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(dir, { recursive: true });
  const now = new Date();
  // ECDSA P-256 keys: generating two RSA-2048 keys took 0.3–1 s of a first start (and more on a
  // busy machine), a P-256 key takes about a millisecond; Node's TLS, undici and browsers accept them.
  const caName = 'CaseRoom Microsoft 365 Simulator Local CA';
  const caKey = newEcKey();
  const caCert = makeCertificate({
    commonName: caName,
    publicKey: caKey.publicKey,
    issuer: { commonName: caName, privateKey: caKey.privateKey },
    notBefore: now,
    notAfter: new Date(now.getTime() + TEN_YEARS_MS),
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'],
  });
  const serverKey = newEcKey();
  const serverCert = makeCertificate({
    commonName: 'localhost',
    publicKey: serverKey.publicKey,
    issuer: { commonName: caName, privateKey: caKey.privateKey },
    notBefore: now,
    notAfter: new Date(now.getTime() + ONE_YEAR_MS),
    ca: false,
    // No keyEncipherment: an EC key signs the handshake (ECDHE), it never encrypts a key.
    keyUsage: ['digitalSignature'],
    serverAuth: true,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  const ca = { private: caKey.privateKeyPem, cert: caCert };
  const server = { private: serverKey.privateKeyPem, cert: serverCert };
  await fs.writeFile(files.caKey, ca.private, { mode: 0o600 });
  await fs.writeFile(files.caCert, ca.cert);
  await fs.writeFile(files.serverKey, server.private, { mode: 0o600 });
  await fs.writeFile(files.serverCert, server.cert);
  return { caCertPem: ca.cert, serverKeyPem: server.private, serverCertPem: server.cert, caCertPath: files.caCert };
}
