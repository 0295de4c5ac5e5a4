import { corrupt } from './keystore.errors.js';

/**
 * Big-endian reader over a JKS file that turns every out-of-bounds read into a CORRUPT error naming the
 * field and where it starts.
 */
export class JksByteReader {
  private position = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly format: string,
  ) {}

  get offset(): number {
    return this.position;
  }

  u16(field: string): number {
    return this.take(2, field).readUInt16BE(0);
  }

  u32(field: string): number {
    return this.take(4, field).readUInt32BE(0);
  }

  /** Returns a view (not a copy) of the next `length` bytes. */
  take(length: number, field: string): Buffer {
    const left = this.bytes.length - this.position;
    if (length > left) {
      throw corrupt(
        `${this.format} file is truncated: ${field} at byte ${this.position} needs ${length} bytes, ` +
          `${left} left`,
      );
    }
    const view = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return view;
  }
}
