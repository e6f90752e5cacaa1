import { crc32 } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { decodeEntryName } from './archive';

const UTF8_FLAG = 0x800;
const cp437 = (text: string) => Buffer.from(text.replace('í', '\u00a1'), 'latin1'); // í is 0xA1 in CP437

describe('decodeEntryName: archive names keep their accents, whoever zipped them', () => {
  it('reads UTF-8 when the archive says so (bit 11)', () => {
    expect(decodeEntryName(Buffer.from('Expediente/García.pdf'), UTF8_FLAG, [])).toBe('Expediente/García.pdf');
  });

  it('reads UTF-8 without the flag when the bytes are UTF-8 (macOS Archive Utility)', () => {
    expect(decodeEntryName(Buffer.from('García.pdf'), 0, [])).toBe('García.pdf');
  });

  it('reads CP437 otherwise (older Windows Explorer)', () => {
    expect(decodeEntryName(cp437('García.pdf'), 0, [])).toBe('García.pdf');
  });

  it('prefers the Info-ZIP Unicode Path field when its checksum matches the header name (7-Zip, Info-ZIP)', () => {
    const raw = Buffer.from('Garc_a.pdf');
    const field = (crc: number) => {
      const head = Buffer.alloc(5);
      head.writeUInt8(1, 0); // version 1
      head.writeUInt32LE(crc >>> 0, 1);
      return { id: 0x7075, data: Buffer.concat([head, Buffer.from('García.pdf')]) };
    };
    expect(decodeEntryName(raw, 0, [field(crc32(raw))])).toBe('García.pdf');
    expect(decodeEntryName(raw, 0, [field(crc32(raw) ^ 1)])).toBe('Garc_a.pdf');
  });

  it('keeps backslashes for the plan to judge', () => {
    expect(decodeEntryName(Buffer.from('..\\evil.txt'), UTF8_FLAG, [])).toBe('..\\evil.txt');
  });
});
