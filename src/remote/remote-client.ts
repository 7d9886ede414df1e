import { connect as tlsConnect } from 'node:tls';
import { GuvClient } from '../client/api.js';
import { type ConnectionOptions, openTransport } from '../client/connection.js';
import { GuvError } from '../errors.js';
import { encodeFrame } from '../rpc/frame.js';
import { newNonce, signRequest } from './signing.js';

/** What a client needs to reach a daemon remotely: `guv remoteconfig <user>` prints it. */
export interface RemoteOptions {
  host: string;
  port: number;
  user: string;
  secret: string;
  /** The daemon certificate's SHA-256 fingerprint (`AB:CD:…`, colons and case optional). */
  fingerprint: string;
  /** Connect timeout and default per-request timeout. */
  timeoutMs?: number;
}

/**
 * Connects to a daemon's remote RPC over TLS and returns the same client as `connect()`: the
 * same methods, typed wildcard events and errors. The daemon's certificate must have the pinned
 * fingerprint, else the connection is refused (`GUV_REMOTE_FINGERPRINT_MISMATCH`) before any
 * request is sent; every request is then signed with the user's secret.
 *
 * @example
 * const guv = await remote({ host: '10.0.0.5', port: 57475, user: 'ops', secret, fingerprint });
 * await guv.on('process:*', (type, info) => console.log(type, info.name));
 */
export async function remote(options: RemoteOptions): Promise<GuvClient> {
  return new GuvClient(await openRemoteConnection(options));
}

/** The {@link remote} connection without the client around it. */
export function openRemoteConnection(options: RemoteOptions, connection: ConnectionOptions = {}) {
  const { host, port, user, secret } = options;
  const pinned = normaliseFingerprint(options.fingerprint);
  if (pinned === null) {
    return Promise.reject(
      new GuvError('GUV_BAD_ARGUMENT', 'fingerprint must be a SHA-256 fingerprint (64 hex digits)'),
    );
  }
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return openTransport(
    () => {
      // Self-signed, so no CA can vouch for it: the pinned fingerprint is the whole check, made
      // on secureConnect before the connection is handed out.
      const socket = tlsConnect({ host, port, minVersion: 'TLSv1.2', rejectUnauthorized: false });
      return {
        socket,
        readyEvent: 'secureConnect',
        where,
        checkReady: () => {
          const seen = normaliseFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
          if (seen === pinned) return undefined;
          return new GuvError(
            'GUV_REMOTE_FINGERPRINT_MISMATCH',
            `the certificate of ${where} has fingerprint ${seen ?? 'none'}, not the pinned one`,
          );
        },
        encodeRequest: (id, method, params) =>
          encodeFrame({
            id,
            method,
            params,
            auth: signRequest({ user, secret }, method, params, Date.now(), newNonce()),
          }),
        connectError: (error) =>
          new GuvError('GUV_DAEMON_UNREACHABLE', `cannot reach the daemon at ${where}`, {
            cause: error,
          }),
      };
    },
    { timeoutMs: options.timeoutMs ?? 10_000, ...connection },
  );
}

/** `AB:CD:…` or `abcd…` as 64 lowercase hex digits; null when it is not a SHA-256. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replaceAll(':', '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}
