// strftime-like date fields for templates that opt in to them (object keys: `mqtt/%Y/%m/%d/`):
// the record's timestamp in UTC, zero-padded. Pure, and only these four fields: `%` followed by
// anything else is an error (so a `%M` meant as minutes does not silently stay text), `%%` is `%`.

export type DateField = 'Y' | 'm' | 'd' | 'H';

export const DATE_FIELDS = '%Y (year), %m (month 01–12), %d (day 01–31), %H (hour 00–23), all UTC from the record timestamp; %% for a literal %';

/** A text split into literal pieces and date fields. */
export type DatePart = { text: string } | { field: DateField };

const FIELD = /%(.?)/gs;

/** Splits `text` at its date fields; the error names the first `%` sequence that is none. */
export function parseDateFields(text: string): { parts: DatePart[] } | { error: string } {
  const parts: DatePart[] = [];
  let literal = '';
  let last = 0;
  for (const m of text.matchAll(FIELD)) {
    literal += text.slice(last, m.index);
    last = m.index + m[0].length;
    const c = m[1] ?? '';
    if (c === '%') {
      literal += '%';
      continue;
    }
    if (c !== 'Y' && c !== 'm' && c !== 'd' && c !== 'H') {
      return { error: `unknown date field ${JSON.stringify(m[0])}; known: ${DATE_FIELDS}` };
    }
    if (literal !== '') parts.push({ text: literal });
    literal = '';
    parts.push({ field: c });
  }
  literal += text.slice(last);
  if (literal !== '') parts.push({ text: literal });
  return { parts };
}

/** The field's value for a timestamp (ms since epoch), in UTC. */
export function dateFieldText(field: DateField, timestampMs: number): string {
  const d = new Date(timestampMs);
  switch (field) {
    case 'Y':
      return String(d.getUTCFullYear()).padStart(4, '0');
    case 'm':
      return String(d.getUTCMonth() + 1).padStart(2, '0');
    case 'd':
      return String(d.getUTCDate()).padStart(2, '0');
    case 'H':
      return String(d.getUTCHours()).padStart(2, '0');
  }
}
