import type { Socket } from 'node:net';
import { DROPPED_EVENT, encodeFrame } from './frame.js';

export interface OutboundLimits {
  /** Events are skipped while this many bytes wait to be written to the socket. */
  eventHighWaterMark: number;
  /** A client that lets this much pile up (replies included) is disconnected. */
  maxBufferedBytes: number;
}

/**
 * The daemon's side of one client socket: writes replies and events without ever blocking
 * or buffering without bound. While the client does not read, events beyond the high-water
 * mark are counted instead of queued; once the socket drains the client gets one
 * `rpc:dropped` event with that count.
 */
export class ServerConnection {
  readonly id: number;
  readonly socket: Socket;
  readonly #limits: OutboundLimits;
  readonly #closing = new AbortController();
  /** Requests received and not yet answered. */
  inFlight = 0;
  #dropped = 0;
  #totalDropped = 0;
  #waitingForDrain = false;

  constructor(id: number, socket: Socket, limits: OutboundLimits) {
    this.id = id;
    this.socket = socket;
    this.#limits = limits;
    socket.once('close', () => this.#closing.abort());
  }

  /** Aborted when the socket closes: long-running handlers stop on it. */
  get signal(): AbortSignal {
    return this.#closing.signal;
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Events skipped for this connection since it opened. */
  get droppedEvents(): number {
    return this.#totalDropped;
  }

  /** Write an encoded reply; a client that stopped reading its replies is cut off. */
  writeReply(text: string): void {
    if (this.closed || this.socket.writableEnded) return;
    if (this.socket.writableLength > this.#limits.maxBufferedBytes) {
      this.socket.destroy();
      return;
    }
    this.socket.write(text);
  }

  /** Write an encoded event frame, or count it as dropped while the client lags. */
  writeEvent(text: string): void {
    if (this.closed || this.socket.writableEnded) return;
    if (this.socket.writableLength > this.#limits.eventHighWaterMark) {
      this.#dropped++;
      this.#totalDropped++;
      if (!this.#waitingForDrain) {
        this.#waitingForDrain = true;
        this.socket.once('drain', () => this.#reportDropped());
      }
      return;
    }
    this.socket.write(text);
  }

  /** Send one last reply, then close (for good after a grace period if the peer lingers). */
  endWith(text: string): void {
    if (this.closed || this.socket.writableEnded) return;
    this.socket.end(text);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  #reportDropped(): void {
    this.#waitingForDrain = false;
    if (this.#dropped === 0 || this.closed) return;
    const count = this.#dropped;
    this.#dropped = 0;
    this.socket.write(encodeFrame({ event: DROPPED_EVENT, args: [count] }));
  }
}
