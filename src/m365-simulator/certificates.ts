/**
 * X.509 v3 certificates for the simulator's local CA and its HTTPS server (RFC 5280), DER-encoded
 * here and signed with node:crypto. A certificate library (selfsigned, @peculiar/x509) took
 * 0.2–0.5 s to load and run on every first start; these few fields take a few milliseconds.
 * Only what tls.ts asks for is supported: ECDSA P-256 keys, SHA-256 signatures, a common name.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const TAG = { boolean: 0x01, integer: 0x02, bitString: 0x03, octetString: 0x04, oid: 0x06, utf8String: 0x0c, sequence: 0x30, set: 0x31, utcTime: 0x17, generalizedTime: 0x18 } as const;

function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length = body.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, body]);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(TAG.oid, Buffer.from(bytes));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always UTC, whole seconds. */
function time(at: Date): Buffer {
  const iso = at.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  const year = at.getUTCFullYear();
  return year >= 1950 && year < 2050 ? der(TAG.utcTime, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : der(TAG.generalizedTime, Buffer.from(`${iso}Z`, 'ascii'));
}

const name = (commonName: string): Buffer => der(TAG.sequence, der(TAG.set, der(TAG.sequence, oid(OID.commonName), der(TAG.utf8String, Buffer.from(commonName, 'utf8')))));

/** A BIT STRING of named bits (bit 0 first), DER-minimal: trailing zero bits are not encoded. */
function namedBits(bits: number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  return der(TAG.bitString, Buffer.from([7 - (highest % 8)]), bytes);
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer => der(TAG.sequence, oid(id), ...(critical ? [der(TAG.boolean, Buffer.from([0xff]))] : []), der(TAG.octetString, value));

/** RFC 5280 4.2.1.3 bit numbers. */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

export interface CertificateRequest {
  commonName: string;
  publicKey: KeyObject;
  /** The issuer's name and key; the certificate's own for a self-signed one. */
  issuer: { commonName: string; privateKey: KeyObject };
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  keyUsage: Array<keyof typeof KEY_USAGE>;
  serverAuth?: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
}

function ipBytes(address: string): Buffer {
  if (address.includes(':')) {
    const [head, tail = ''] = address.split('::');
    const groups = (part: string) => (part ? part.split(':') : []);
    const missing = 8 - groups(head).length - groups(tail).length;
    const all = [...groups(head), ...Array<string>(address.includes('::') ? missing : 0).fill('0'), ...groups(tail)];
    return Buffer.from(all.flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]));
  }
  return Buffer.from(address.split('.').map(Number));
}

/** The certificate as PEM. */
export function makeCertificate(request: CertificateRequest): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, and no leading zero byte to strip
  const algorithm = der(TAG.sequence, oid(OID.ecdsaWithSha256));
  const altNames = [...(request.dnsNames ?? []).map((dns) => der(0x82, Buffer.from(dns, 'ascii'))), ...(request.ipAddresses ?? []).map((ip) => der(0x87, ipBytes(ip)))];
  const extensions = [
    // Critical in a CA's certificate (RFC 5280 4.2.1.9); either way in a server's.
    extension(OID.basicConstraints, request.ca, request.ca ? der(TAG.sequence, der(TAG.boolean, Buffer.from([0xff]))) : der(TAG.sequence)),
    extension(OID.keyUsage, true, namedBits(request.keyUsage.map((usage) => KEY_USAGE[usage]))),
    ...(request.serverAuth ? [extension(OID.extKeyUsage, false, der(TAG.sequence, oid(OID.serverAuth)))] : []),
    ...(altNames.length ? [extension(OID.subjectAltName, false, der(TAG.sequence, ...altNames))] : []),
  ];
  const tbs = der(
    TAG.sequence,
    der(0xa0, der(TAG.integer, Buffer.from([2]))), // v3
    der(TAG.integer, serial),
    algorithm,
    name(request.issuer.commonName),
    der(TAG.sequence, time(request.notBefore), time(request.notAfter)),
    name(request.commonName),
    request.publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, der(TAG.sequence, ...extensions)),
  );
  // ECDSA signatures come DER-encoded (Ecdsa-Sig-Value), as X.509 wants them.
  const signature = sign('sha256', tbs, request.issuer.privateKey);
  const certificate = der(TAG.sequence, tbs, algorithm, der(TAG.bitString, Buffer.from([0]), signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A fresh P-256 key pair, the private key as PKCS #8 PEM. */
export function newEcKey(): { privateKey: KeyObject; publicKey: KeyObject; privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey: createPublicKey(privateKey), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
