// CSV per RFC 4180: fields separated by commas, rows by CRLF or LF, a field in double quotes may
// hold commas, line breaks and doubled quotes (""). RobustMQ splits on every comma and newline,
// which breaks such fields; this reads them whole. Outside quotes RobustMQ's leniency stays:
// whitespace around a field is trimmed and a stray quote inside an unquoted field is kept as text.
import { fail } from './etl-error.js';

export interface CsvCell {
  text: string;
  /** quoted cells are taken verbatim as strings; unquoted ones are trimmed and typed */
  quoted: boolean;
}

export interface CsvRow {
  /** 1-based line where the row starts */
  line: number;
  cells: CsvCell[];
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Splits CSV text into rows, skipping blank lines. Stops with an error past `maxRows`. */
export function parseCsv(text: string, maxRows: number): CsvRow[] {
  const rows: CsvRow[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const cells: CsvCell[] = [];
    for (;;) {
      // one field
      let j = i;
      while (j < n && isBlank(text.charCodeAt(j))) j++;
      let cell: CsvCell;
      if (text.charCodeAt(j) === QUOTE) {
        let value = '';
        let k = j + 1;
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) fail(`csv row at line ${startLine}: a quoted field is not closed`);
          const chunk = text.slice(k, q);
          for (let p = chunk.indexOf('\n'); p >= 0; p = chunk.indexOf('\n', p + 1)) line++;
          value += chunk;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            k = q + 2;
          } else {
            k = q + 1;
            break;
          }
        }
        while (k < n && isBlank(text.charCodeAt(k))) k++;
        const after = text.charCodeAt(k);
        if (k < n && after !== COMMA && after !== LF && !(after === CR && text.charCodeAt(k + 1) === LF)) {
          fail(`csv row at line ${line}: unexpected ${JSON.stringify(text[k])} after a closing quote`);
        }
        cell = { text: value, quoted: true };
        i = k;
      } else {
        let k = j;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(k + 1) === LF)) break;
          k++;
        }
        cell = { text: text.slice(j, k).trim(), quoted: false };
        i = k;
      }
      cells.push(cell);
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      // end of row: LF, CRLF or end of text
      if (c === CR) i++;
      if (i < n) i++;
      line++;
      break;
    }
    const first = cells[0];
    if (cells.length === 1 && first && !first.quoted && first.text === '') continue;
    if (rows.length >= maxRows) fail(`more than ${maxRows} CSV rows (the limit of records per message)`);
    rows.push({ line: startLine, cells });
  }
  return rows;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV field: quoted when it holds a comma, quote or line break, or edge whitespace (which the reader would trim). */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
