import { inflateRawSync } from 'node:zlib';

/**
 * Reads a zip (an .xlsx is one) defensively: the central directory is parsed by hand and every
 * declared size and the entry count are checked BEFORE anything is inflated; then each entry is
 * inflated with `maxOutputLength` equal to its declared size, so a header that lies about its
 * size (the classic zip bomb) fails at that size instead of filling memory.
 */

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Uncompressed/compressed above this on an entry larger than 1 MiB is treated as a bomb. */
  maxRatio: number;
}

export type ZipRefusal = { code: 'unsupported_file' | 'file_too_large'; reason: string };
export type ZipInspection = { ok: true; entries: ZipEntry[] } | ({ ok: false } & ZipRefusal);

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === LOCAL;
}

export function inspectZip(buf: Buffer, limits: ZipLimits): ZipInspection {
  const bad = (reason: string): ZipInspection => ({ ok: false, code: 'unsupported_file', reason });
  const bomb = (reason: string): ZipInspection => ({ ok: false, code: 'unsupported_file', reason: `Файл похож на zip-бомбу: ${reason}` });
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return bad('Файл повреждён или не является файлом Excel (.xlsx)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return bad('Архивы формата ZIP64 не поддерживаются');
  if (count > limits.maxEntries) return bomb(`в архиве ${count} файлов, допускается не более ${limits.maxEntries}`);
  if (cdOffset + cdSize > eocd) return bad('Файл повреждён: неверный каталог архива');

  const entries: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CENTRAL) return bad('Файл повреждён: неверная запись каталога архива');
    const flags = buf.readUInt16LE(p + 8);
    const entry: ZipEntry = {
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      uncompressedSize: buf.readUInt32LE(p + 24),
      localHeaderOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + buf.readUInt16LE(p + 28)),
    };
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (flags & 0x1) return bad('Зашифрованные файлы не поддерживаются');
    if (entry.method !== 0 && entry.method !== 8) return bad(`Неподдерживаемый метод сжатия (${entry.method})`);
    if (entry.uncompressedSize > limits.maxEntryBytes) return bomb(`${entry.name} распаковывается в ${entry.uncompressedSize} байт`);
    if (entry.uncompressedSize > 1 << 20 && entry.uncompressedSize > entry.compressedSize * limits.maxRatio)
      return bomb(`${entry.name} сжат в ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} раз`);
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes) return bomb(`распакованный размер больше ${limits.maxTotalBytes} байт`);
    entries.push(entry);
  }
  return { ok: true, entries };
}

/** The entry's bytes, never more than its declared size; throws when the data disagrees. */
export function readZipEntry(buf: Buffer, entry: ZipEntry): Buffer {
  const h = entry.localHeaderOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOCAL) throw new Error(`bad local header for ${entry.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new Error(`${entry.name} is truncated`);
  const data = buf.subarray(start, end);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw new Error(`${entry.name}: stored sizes differ`);
    return data;
  }
  // maxOutputLength makes zlib stop with an error as soon as the output passes the declared size.
  const out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  if (out.length !== entry.uncompressedSize) throw new Error(`${entry.name}: inflated ${out.length} bytes, declared ${entry.uncompressedSize}`);
  return out;
}
