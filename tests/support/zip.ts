import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** The uncompressed size the zip claims, when it should lie about it. */
  declaredSize?: number;
  /** The name in the entry's local header, when it should differ from the central directory's. */
  localName?: string;
  /** The central directory's extra fields, as written. */
  extraFields?: Buffer;
  /** General-purpose flags (0x800: the name is UTF-8). */
  flags?: number;
}

/** The entries' local headers with their data, and the central directory that lists them. */
export function zipParts(entries: ZipEntry[]) {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const localName = Buffer.from(entry.localName ?? entry.name, "utf8");
    const extra = entry.extraFields ?? Buffer.alloc(0);
    const flags = entry.flags ?? 0;
    const compressed = deflateRawSync(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    locals.push(local, localName, compressed);
    centrals.push(central, name, extra);
    offset += local.length + localName.length + compressed.length;
  }
  return { locals: Buffer.concat(locals), directory: Buffer.concat(centrals), count: entries.length };
}

/** The end-of-central-directory record for a directory of `count` entries and `size` bytes at `offset`. */
export function directoryEnd({ count, size, offset }: { count: number; size: number; offset: number }) {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return end;
}

/** A zip file written by hand, so that a test can make one a real zip library would refuse to write (a zip bomb, a lying size). */
export function makeZip(entries: ZipEntry[]): Uint8Array {
  const { locals, directory, count } = zipParts(entries);
  return new Uint8Array(Buffer.concat([locals, directory, directoryEnd({ count, size: directory.length, offset: locals.length })]));
}
