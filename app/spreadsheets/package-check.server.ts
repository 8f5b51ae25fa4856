/**
 * Looking inside an xlsx package before exceljs is let near it. exceljs expands what a sheet
 * declares (merged ranges, data-validation ranges, defined names) cell by cell in memory, so a 12 KB
 * file with one `<mergeCell ref="A1:XFD1048576"/>` costs minutes and gigabytes. This reads the
 * zip's directory with yauzl, streams each part it must look at, and scans the XML's tags for the
 * addresses, rows, columns and counts exceljs would act on, against limits derived from the shape
 * of the workbook the page expects. It stops at the first limit crossed, having read no more than
 * that: no XML tree is built and no part is held whole, except the small workbook and its
 * relationships, to name the sheets.
 */
import yauzl from "yauzl";
import { cellRef, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, type UploadIssue } from "./spreadsheet.ts";

/** The most a workbook for one page may hold: rows and columns per sheet, and counts for the whole package. */
export interface WorkbookShape {
  /** The last row any sheet may reach, however it gets there (a cell, a row, a merge, a dimension). */
  rows: number;
  /** The last column any sheet may reach. */
  columns: number;
  sheets: number;
  /** Merged ranges, and data-validation ranges, per sheet. */
  ranges: number;
  sharedStrings: number;
  /** Unpacked bytes of one sheet, of the shared strings, and of the styles. */
  sheetBytes: number;
  stringBytes: number;
  styleBytes: number;
}

/** Rows and columns beyond a template's own that a person may have typed in without harm. */
export function shapeFor({ rows, columns }: { rows: number; columns: number }): WorkbookShape {
  return {
    rows,
    columns,
    sheets: 10,
    ranges: rows + 100,
    sharedStrings: rows * columns + 1000,
    sheetBytes: Math.max(1024 * 1024, rows * columns * 512),
    stringBytes: Math.max(1024 * 1024, rows * columns * 256),
    styleBytes: 2 * 1024 * 1024,
  };
}

const WORKBOOK = "xl/workbook.xml";
const WORKBOOK_RELS = "xl/_rels/workbook.xml.rels";
/** The small parts read whole, to name the sheets. */
const SMALL_PART_BYTES = 1024 * 1024;
/** The longest tag the scanner will wait for the end of. */
const MAX_TAG_BYTES = 64 * 1024;

const notXlsx: UploadIssue = { kind: "message", key: "upload.error.notXlsx" };
const tooBigUnpacked: UploadIssue = { kind: "message", key: "upload.error.unpacksTooLarge" };
const tooMuch: UploadIssue = { kind: "message", key: "upload.error.tooMuchContent" };

/** Why a package was refused: the issue to show, and which limit, for the logs and the tests. */
class Refusal extends Error {
  constructor(
    readonly issue: UploadIssue,
    readonly limit: string,
  ) {
    super(limit);
  }
}

/** Column number of letters ("A" is 1, "XFD" is 16384); letters beyond any real sheet come out huge, never wrong. */
function columnNumber(letters: string) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** "A1", "$A$1": the row and column; null for anything else. */
function parseCell(ref: string): { row: number; column: number } | null {
  const match = /^\$?([A-Za-z]{1,7})\$?(\d{1,12})$/.exec(ref);
  if (!match) return null;
  return { column: columnNumber(match[1]!), row: Number(match[2]) };
}

/** An attribute's value as exceljs's XML parser hands it over, its references decoded; null when it is absent. */
function attribute(attributes: string, name: string) {
  const matches = [...attributes.matchAll(new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "g"))];
  // The parser takes the last of two values, this scan would take the first.
  if (matches.length > 1) throw new Refusal(notXlsx, `${name} given twice`);
  return matches[0] ? xmlText(matches[0][1] ?? matches[0][2] ?? "") : null;
}

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };

/** Whether a character reference stands for a character XML allows, as the parser requires. */
function isXmlChar(code: number) {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Text as exceljs's parser (saxes) decodes it: the five named entities and the numeric references
 * ("&#48;", "&#x30;"), all in one pass, so that "&amp;#48;" stays "&#48;". A check that read the
 * references as written would see row 2 in "$Z$2&#48;&#48;&#48;&#48;&#48;", which exceljs expands to row 200,000.
 */
function xmlText(text: string) {
  return text.replace(/&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|quot|apos|amp));/g, (reference, hex, decimal, named) => {
    if (named) return NAMED_ENTITIES[named]!;
    const code = hex ? Number.parseInt(hex, 16) : Number(decimal);
    if (!isXmlChar(code)) throw new Refusal(notXlsx, `character reference ${reference.slice(0, 20)}`);
    return String.fromCodePoint(code);
  });
}

/** Counts and limits for one sheet as its tags go by. */
class SheetScan {
  private row = 0;
  private column = 0;
  private rowsSeen = 0;
  private cellsSeen = 0;
  private rangesSeen = 0;
  private colsSeen = 0;

  constructor(
    private readonly name: string,
    private readonly shape: WorkbookShape,
  ) {}

  private within(row: number, column: number, what: string) {
    if (row > this.shape.rows) {
      throw new Refusal(
        { kind: "message", key: "upload.error.beyondRows", params: { sheet: this.name, row, max: this.shape.rows } },
        `${what}: row ${row}`,
      );
    }
    if (column > this.shape.columns) {
      throw new Refusal(
        {
          kind: "message",
          key: "upload.error.beyondColumns",
          params: { sheet: this.name, cell: cellRef(Math.max(row, 1), column), max: this.shape.columns },
        },
        `${what}: column ${column}`,
      );
    }
  }

  /** "A1:B2 C3": every range must lie inside the sheet's limits. */
  private ranges(value: string, what: string) {
    for (const part of value.trim().split(/\s+/)) {
      if (!part) continue;
      for (const end of part.split(":")) {
        const cell = parseCell(end);
        if (!cell) throw new Refusal(notXlsx, `${what}: ${part.slice(0, 40)}`);
        this.within(cell.row, cell.column, what);
      }
      if (++this.rangesSeen > this.shape.ranges) throw new Refusal(tooMuch, `${what}: more than ${this.shape.ranges} ranges`);
    }
  }

  tag(name: string, attributes: string) {
    switch (name) {
      case "dimension":
      case "mergeCell":
      case "hyperlink": {
        const ref = attribute(attributes, "ref");
        if (ref !== null) this.ranges(ref, name);
        return;
      }
      case "dataValidation":
      case "conditionalFormatting":
      case "protectedRange": {
        const sqref = attribute(attributes, "sqref");
        if (sqref !== null) this.ranges(sqref, name);
        return;
      }
      case "row": {
        const r = attribute(attributes, "r");
        this.row = r === null ? this.row + 1 : Number(r);
        if (!Number.isSafeInteger(this.row) || this.row < 1) throw new Refusal(notXlsx, `row ${r}`);
        this.column = 0;
        this.within(this.row, 1, "row");
        if (++this.rowsSeen > this.shape.rows) throw new Refusal(tooMuch, `more than ${this.shape.rows} row elements`);
        return;
      }
      case "c": {
        const r = attribute(attributes, "r");
        if (r === null) {
          this.column += 1;
        } else {
          const cell = parseCell(r);
          if (!cell) throw new Refusal(notXlsx, `cell ${r.slice(0, 40)}`);
          this.column = cell.column;
          this.row = Math.max(this.row, cell.row);
          this.within(cell.row, cell.column, "cell");
        }
        this.within(Math.max(this.row, 1), this.column, "cell");
        if (++this.cellsSeen > this.shape.rows * this.shape.columns) {
          throw new Refusal(tooMuch, `more than ${this.shape.rows * this.shape.columns} cells`);
        }
        return;
      }
      case "col": {
        // Excel writes max="16384" for the columns after the last used one; exceljs makes one object
        // per column, which is affordable for one sheet's worth, but not for many such elements.
        // exceljs also makes a column object for every number below min, so min is bounded as max is.
        for (const end of ["min", "max"]) {
          const value = Number(attribute(attributes, end) ?? 0);
          if (!Number.isSafeInteger(value) || value > 16384) throw new Refusal(notXlsx, `col ${end} ${value}`);
        }
        if (++this.colsSeen > 100) throw new Refusal(tooMuch, "more than 100 col elements");
        return;
      }
    }
  }
}

/** Runs `onTag` for every start or empty tag in the stream (prefix dropped), with its attributes as written. */
async function scanTags(
  stream: AsyncIterable<Buffer>,
  { limit, part }: { limit: number; part: string },
  onTag: (name: string, attributes: string) => void,
) {
  let carry = "";
  let bytes = 0;
  // An attribute's value may hold ">" (but never "<"), so quoted values are matched whole.
  const tagPattern = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>/g;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > limit) throw new Refusal(tooMuch, `${part}: more than ${limit} bytes`);
    // Tags and the attributes looked at are ASCII; latin1 maps each byte to one character, so a
    // multi-byte character split between chunks cannot hide or make a tag.
    const text = carry + chunk.toString("latin1");
    tagPattern.lastIndex = 0;
    let end = 0;
    for (let match = tagPattern.exec(text); match; match = tagPattern.exec(text)) {
      onTag(match[2]!, match[3]!);
      end = tagPattern.lastIndex;
    }
    const open = text.lastIndexOf("<");
    carry = open >= end ? text.slice(open) : "";
    if (carry.length > MAX_TAG_BYTES) throw new Refusal(notXlsx, `${part}: a tag longer than ${MAX_TAG_BYTES} bytes`);
  }
}

async function readWhole(zip: yauzl.ZipFile, entry: yauzl.Entry) {
  if (entry.uncompressedSize > SMALL_PART_BYTES) throw new Refusal(tooMuch, `${entry.fileName}: more than ${SMALL_PART_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > SMALL_PART_BYTES) throw new Refusal(tooMuch, `${entry.fileName}: more than ${SMALL_PART_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The sheets' names by the part each lives in, from the workbook and its relationships. */
function sheetNames(workbook: string, rels: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const match of rels.matchAll(/<(?:\w+:)?Relationship\b([^>]*)>/g)) {
    const id = attribute(match[1]!, "Id");
    const target = attribute(match[1]!, "Target");
    if (id === null || target === null) continue;
    targets.set(id, target.startsWith("/") ? target.slice(1) : `xl/${target}`);
  }
  const names = new Map<string, string>();
  for (const match of workbook.matchAll(/<(?:\w+:)?sheet\b([^>]*)>/g)) {
    const name = attribute(match[1]!, "name");
    const id = attribute(match[1]!, "r:id") ?? /\s[\w]+:id\s*=\s*"([^"]*)"/.exec(match[1]!)?.[1] ?? null;
    const target = id === null ? undefined : targets.get(id);
    if (name !== null && target) names.set(target, xmlText(name).slice(0, 31));
  }
  return names;
}

/** Every cell address a defined name refers to ("Sheet!$A$1:$XFD$1048576"), which exceljs expands cell by cell. */
function checkDefinedNames(workbook: string, shape: WorkbookShape) {
  // The text runs to the next "<", which must close the name: exceljs joins the text on either side
  // of a comment, CDATA section or other tag, which Excel never writes inside a name, so that
  // "$Z$2<!---->00000" is row 200,000.
  const definedNames = /<(?:\w+:)?definedName\b(?:[^>"']|"[^"]*"|'[^']*')*?(?:\/>|>([^<]*)(<\/(?:\w+:)?definedName\s*>)?)/g;
  for (const match of workbook.matchAll(definedNames)) {
    const text = match[1] ?? "";
    if (match[1] !== undefined && match[2] === undefined) throw new Refusal(notXlsx, "markup inside a definedName");
    // A reference, not a sheet's name ("Sheet1!"), a function ("LOG10(") or part of a longer word.
    for (const ref of xmlText(text).matchAll(/(?<![\w.])\$?([A-Za-z]{1,3})\$?(\d+)(?![\w(!.])/g)) {
      const column = columnNumber(ref[1]!);
      const row = Number(ref[2]);
      if (row > shape.rows || column > shape.columns) throw new Refusal(tooMuch, `definedName ${ref[0]}`);
    }
  }
}

/**
 * The parts exceljs 4.4 parses beyond those it knows by exact name (the loop over the zip's entries
 * in its xlsx.js): the pattern it tests each name with, unanchored, and the name Excel and
 * LibreOffice give such a part. A name that matches the first but not the second
 * ("zz/xl/worksheets/sheet9.xml", "xl/worksheets/sheet9.xmlx") would be parsed without the scan
 * below ever looking at it.
 */
const EXCELJS_PATTERNS: { loads: RegExp; canonical: RegExp }[] = [
  { loads: /xl\/worksheets\/sheet(\d+)[.]xml/, canonical: /^xl\/worksheets\/sheet\d+\.xml$/ },
  { loads: /xl\/worksheets\/_rels\/sheet(\d+)[.]xml.rels/, canonical: /^xl\/worksheets\/_rels\/sheet\d+\.xml\.rels$/ },
  { loads: /xl\/theme\/([a-zA-Z0-9]+)[.]xml/, canonical: /^xl\/theme\/[a-zA-Z0-9]+\.xml$/ },
  { loads: /xl\/media\/([a-zA-Z0-9]+[.][a-zA-Z0-9]{3,4})$/, canonical: /^xl\/media\/[a-zA-Z0-9]+\.[a-zA-Z0-9]{3,4}$/ },
  { loads: /xl\/drawings\/([a-zA-Z0-9]+)[.]xml/, canonical: /^xl\/drawings\/[a-zA-Z0-9]+\.xml$/ },
  { loads: /xl\/(comments\d+)[.]xml/, canonical: /^xl\/comments\d+\.xml$/ },
  { loads: /xl\/tables\/(table\d+)[.]xml/, canonical: /^xl\/tables\/table\d+\.xml$/ },
  { loads: /xl\/drawings\/_rels\/([a-zA-Z0-9]+)[.]xml[.]rels/, canonical: /^xl\/drawings\/_rels\/[a-zA-Z0-9]+\.xml\.rels$/ },
  { loads: /xl\/drawings\/(vmlDrawing\d+)[.]vml/, canonical: /^xl\/drawings\/vmlDrawing\d+\.vml$/ },
];

/** Whether exceljs would parse a part of this name under another name than Excel gives it. */
function loadedUnderOddName(name: string) {
  const pattern = EXCELJS_PATTERNS.find(({ loads }) => loads.test(name));
  return pattern !== undefined && !pattern.canonical.test(name);
}

const UNICODE_PATH_FIELD = 0x7075;

/**
 * Whether JSZip, which exceljs unpacks with, will see this entry under the very name yauzl gives
 * it here. JSZip takes the name from the local header, not the central directory; reads it as UTF-8
 * where yauzl reads CP437, and a Unicode path field under other conditions than yauzl does; keeps a
 * backslash that yauzl turns into "/"; and drops "." and empty segments and resolves ".." (so
 * "a/../xl/workbook.xml" is the workbook), while exceljs drops a leading "/". Excel writes none of these.
 */
async function plainName(zip: yauzl.ZipFile, entry: yauzl.Entry) {
  const raw = entry.fileNameRaw;
  if (!/^[\x20-\x5b\x5d-\x7e]+$/.test(raw.toString("latin1"))) return false;
  if (entry.extraFields.some((field) => field.id === UNICODE_PATH_FIELD)) return false;
  const segments = entry.fileName.replace(/\/$/, "").split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) return false;
  const local = await zip.readLocalFileHeaderPromise(entry);
  return local.fileName.equals(raw);
}

const END_OF_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL_HEADER_BYTES = 46;

/**
 * Where the central directory ends and how long it is, when JSZip would read the directory yauzl
 * reads; null otherwise. Both take the last end record, but JSZip takes any bytes between the
 * directory and that record for bytes prepended to the zip and shifts every offset by as many (a
 * second directory, of the sender's choosing), and it reads the zip64 records only when the end
 * record's fields are at their maximum, where yauzl reads them whenever they are there. Excel
 * writes the directory just before its end record, and no zip64 records in a file this small.
 */
function directoryFrame(buffer: Buffer) {
  const end = buffer.lastIndexOf(END_OF_DIRECTORY);
  if (end < 0 || end + 22 > buffer.length) return null;
  if (end >= 20 && buffer.readUInt32LE(end - 20) === ZIP64_LOCATOR) return null;
  const counts = [4, 6, 8, 10].map((at) => buffer.readUInt16LE(end + at));
  const size = buffer.readUInt32LE(end + 12);
  const offset = buffer.readUInt32LE(end + 16);
  if (counts.includes(0xffff) || size === 0xffffffff || offset === 0xffffffff) return null;
  if (offset + size !== end) return null;
  return { size };
}

export interface PackageCheck {
  issue: UploadIssue | null;
  /** Which limit refused it, in English, for the tests and the logs. */
  limit?: string;
}

/**
 * Whether the bytes are an xlsx workbook that is safe to hand to exceljs: a zip of few entries,
 * whose sizes add up (as declared and as inflated) to no more than MAX_UNPACKED_BYTES, with a
 * workbook part, and whose sheets, shared strings and styles stay within `shape`.
 */
export async function inspectPackage(bytes: Uint8Array, shape: WorkbookShape): Promise<PackageCheck> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 4 || buffer.readUInt32LE(0) !== 0x04034b50) return { issue: notXlsx, limit: "not a zip" };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch {
    return { issue: notXlsx, limit: "not a zip" };
  }
  try {
    if (zip.entryCount > MAX_ZIP_ENTRIES) return { issue: tooBigUnpacked, limit: `more than ${MAX_ZIP_ENTRIES} entries` };
    const frame = directoryFrame(buffer);
    if (!frame) return { issue: notXlsx, limit: "a directory JSZip would read otherwise" };
    const entries = new Map<string, yauzl.Entry>();
    let declared = 0;
    let directoryBytes = 0;
    for await (const entry of zip.eachEntry()) {
      if (entry.isEncrypted() || !entry.canDecodeFileData()) return { issue: notXlsx, limit: "encrypted or unknown compression" };
      declared += entry.uncompressedSize;
      if (declared > MAX_UNPACKED_BYTES) return { issue: tooBigUnpacked, limit: `declared sizes over ${MAX_UNPACKED_BYTES}` };
      directoryBytes += CENTRAL_HEADER_BYTES + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
      const name = entry.fileName;
      if (!(await plainName(zip, entry))) return { issue: notXlsx, limit: `entry name ${name.slice(0, 60)}` };
      if (entries.has(name)) return { issue: notXlsx, limit: `two entries named ${name.slice(0, 60)}` };
      if (loadedUnderOddName(name)) return { issue: notXlsx, limit: `a part exceljs would load, named ${name.slice(0, 60)}` };
      entries.set(name, entry);
    }
    // JSZip reads directory entries for as long as their signature follows, not for the count declared.
    if (directoryBytes !== frame.size) return { issue: notXlsx, limit: "directory entries beyond the count declared" };
    const workbookEntry = entries.get(WORKBOOK);
    if (!entries.has("[Content_Types].xml") || !workbookEntry) return { issue: notXlsx, limit: "no workbook part" };

    const workbook = await readWhole(zip, workbookEntry);
    const relsEntry = entries.get(WORKBOOK_RELS);
    const names = sheetNames(workbook, relsEntry ? await readWhole(zip, relsEntry) : "");
    if (names.size > shape.sheets) throw new Refusal(tooMuch, `more than ${shape.sheets} sheets`);
    checkDefinedNames(workbook, shape);

    let inflated = workbookEntry.uncompressedSize + (relsEntry?.uncompressedSize ?? 0);
    let sheets = 0;
    for (const entry of entries.values()) {
      if (entry === workbookEntry || entry === relsEntry || entry.fileName.endsWith("/")) continue;
      const name = entry.fileName;
      const stream = (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer> & { destroy(): void };
      // Every part counts towards the whole package's unpacked size, as it inflates.
      async function* counted() {
        for await (const chunk of stream) {
          inflated += chunk.length;
          if (inflated > MAX_UNPACKED_BYTES) throw new Refusal(tooBigUnpacked, `unpacked over ${MAX_UNPACKED_BYTES}`);
          yield chunk;
        }
      }
      try {
        if (/^xl\/worksheets\/[^/]+\.xml$/i.test(name)) {
          if (++sheets > shape.sheets) throw new Refusal(tooMuch, `more than ${shape.sheets} sheets`);
          const sheet = new SheetScan(names.get(name) ?? name.replace(/^.*\//, "").replace(/\.xml$/i, ""), shape);
          await scanTags(counted(), { limit: shape.sheetBytes, part: name }, (tag, attributes) => sheet.tag(tag, attributes));
        } else if (name === "xl/sharedStrings.xml") {
          let strings = 0;
          await scanTags(counted(), { limit: shape.stringBytes, part: name }, (tag) => {
            if (tag === "si" && ++strings > shape.sharedStrings)
              throw new Refusal(tooMuch, `more than ${shape.sharedStrings} shared strings`);
          });
        } else if (name === "xl/styles.xml") {
          await scanTags(counted(), { limit: shape.styleBytes, part: name }, () => {});
        } else {
          for await (const _ of counted());
        }
      } finally {
        stream.destroy();
      }
    }
    return { issue: null };
  } catch (error) {
    if (error instanceof Refusal) return { issue: error.issue, limit: error.limit };
    // A size that lies, a broken entry: either way it is not a workbook we will open.
    return { issue: notXlsx, limit: `unreadable: ${(error as Error).message}` };
  } finally {
    zip.close();
  }
}
