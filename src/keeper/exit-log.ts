import type { ExitRecord } from './protocol.js';

/**
 * Exits the keeper saw and no daemon has acknowledged yet, at most `max` (the oldest go first,
 * counted), so a crash while no daemon runs still reaches the next one and its restart policy.
 */
export class ExitLog {
  readonly #max: number;
  #records: ExitRecord[] = [];
  #nextSeq = 1;
  #dropped = 0;

  constructor(max: number) {
    this.#max = max;
  }

  add(exit: Omit<ExitRecord, 'seq'>): ExitRecord {
    const record = { ...exit, seq: this.#nextSeq++ };
    this.#records.push(record);
    if (this.#records.length > this.#max) {
      this.#records.shift();
      this.#dropped++;
    }
    return record;
  }

  /** Forgets every record up to and including `seq`: a daemon has it. */
  ack(seq: number): void {
    this.#records = this.#records.filter((record) => record.seq > seq);
  }

  get records(): readonly ExitRecord[] {
    return this.#records;
  }

  get dropped(): number {
    return this.#dropped;
  }
}
