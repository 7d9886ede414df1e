import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { mkdir, readFile } from '../fs/async-fs.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { GuvError } from '../errors.js';

/** What the TLS server presents, and the fingerprint clients pin. */
export interface TlsIdentity {
  key: string;
  cert: string;
  /** SHA-256 of the certificate (DER), `AB:CD:…`. */
  fingerprint: string;
}

export interface IdentityOptions {
  /** Where a generated key and certificate are kept (`<config>/remote`). */
  dir: string;
  /** Paths from guv.json: both or neither. */
  certPath: string | null;
  keyPath: string | null;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * The configured key and certificate, else the ones generated on the first use (kept in `dir`,
 * key mode 0600), generated now when there are none yet.
 */
export async function loadOrCreateIdentity(options: IdentityOptions): Promise<TlsIdentity> {
  if (options.certPath !== null && options.keyPath !== null) {
    return identity(await readPem(options.keyPath), await readPem(options.certPath));
  }
  const keyPath = join(options.dir, 'key.pem');
  const certPath = join(options.dir, 'cert.pem');
  const existing = await Promise.all([readPem(keyPath), readPem(certPath)]).catch(() => null);
  if (existing !== null) return identity(...existing);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const generated = await generate();
  await writeFileAtomic(keyPath, generated.key, 0o600);
  await writeFileAtomic(certPath, generated.cert, 0o644);
  return identity(generated.key, generated.cert);
}

/** A fresh self-signed P-256 certificate for guv's remote RPC, valid ten years. */
async function generate(): Promise<{ key: string; cert: string }> {
  try {
    const { generate: selfsigned } = await import('selfsigned');
    const now = Date.now();
    const made = await selfsigned([{ name: 'commonName', value: 'guv remote RPC' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + TEN_YEARS_MS),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    return { key: made.private, cert: made.cert };
  } catch (error) {
    throw new GuvError('GUV_REMOTE_CERT_FAILED', 'could not generate a TLS certificate', {
      cause: error,
    });
  }
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new GuvError('GUV_REMOTE_CERT_FAILED', `cannot read ${path}`, { cause: error });
  }
}

function identity(key: string, cert: string): TlsIdentity {
  try {
    return { key, cert, fingerprint: new X509Certificate(cert).fingerprint256 };
  } catch (error) {
    throw new GuvError('GUV_REMOTE_CERT_FAILED', 'the TLS certificate cannot be read', {
      cause: error,
    });
  }
}
