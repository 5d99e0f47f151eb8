/**
 * A port of oslo.config's INI dialect (`oslo_config/iniparser.py` BaseParser plus the
 * `cfg.ConfigParser` subclass), because operators mount the same `esi-leap.conf` the Python
 * service reads and generic INI parsers disagree with oslo on exactly the lines that matter:
 *
 * - `=` or `:`, whichever comes first, separates key and value (`url = http://h:5000`);
 * - only whole-line `#`/`;` comments exist, so `connection = mysql://u:pa;ss@h/db` keeps its `;`;
 * - an indented line continues the previous value (joined with `\n`), a blank line ends it;
 * - one pair of matching outer quotes is stripped from the first line of a value;
 * - a repeated key is not an error: every occurrence is kept, in order, and the loader decides
 *   (multi-valued options take all of them, plain options the last one).
 *
 * The parser knows nothing about sections' meaning or option names; `config-loader.ts` does.
 */

/** One `key = value` assignment, with multi-line values already joined by `\n`. */
export interface IniEntry {
  /** The section header exactly as written (`[API]` gives `API`; the loader normalises). */
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** 1-based line number of the line holding the key. */
  readonly line: number;
}

export interface IniDocument {
  readonly file: string;
  /** Every section header in order of appearance, including empty sections. */
  readonly sections: readonly string[];
  readonly entries: readonly IniEntry[];
}

export class IniParseError extends Error {
  constructor(
    readonly file: string,
    readonly lineNumber: number,
    readonly reason: string,
    readonly lineText: string,
  ) {
    super(`${file}:${lineNumber}: ${reason}: ${JSON.stringify(lineText)}`);
    this.name = 'IniParseError';
  }
}

interface PendingAssignment {
  key: string;
  lines: string[];
  lineNumber: number;
  lineText: string;
}

export function parseOsloIni(text: string, file = '<string>'): IniDocument {
  const sections: string[] = [];
  const entries: IniEntry[] = [];
  let section: string | null = null;
  let pending: PendingAssignment | null = null;

  function fail(lineNumber: number, reason: string, lineText: string): never {
    throw new IniParseError(file, lineNumber, reason, lineText);
  }

  function flush(): void {
    if (pending === null) return;
    if (section === null) fail(pending.lineNumber, 'Section must be started before assignment', pending.lineText);
    entries.push({ section, key: pending.key, value: pending.lines.join('\n'), line: pending.lineNumber });
    pending = null;
  }

  // Python's universal-newline reading: \r\n, \n and \r all end a line. A BOM is not content.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trimEnd();

    if (line === '') {
      flush();
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (pending === null) fail(lineNumber, 'Unexpected continuation line', line);
      pending.lines.push(line.trimStart());
      return;
    }

    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail(lineNumber, 'Invalid section (must end with ])', line);
      if (line.length <= 2) fail(lineNumber, 'Empty section name', line);
      section = line.slice(1, -1);
      sections.push(section);
    } else if (line.startsWith('#') || line.startsWith(';')) {
      // Whole-line comment; it also ends a multi-line value (flushed above), as in oslo.
    } else {
      const assignment = splitKeyValue(line);
      if (assignment === null) fail(lineNumber, "No ':' or '=' found in assignment", line);
      const [key, value] = assignment;
      if (key === '') fail(lineNumber, 'Key cannot be empty', line);
      pending = { key, lines: [value], lineNumber, lineText: line };
    }
  });
  flush();

  return { file, sections, entries };
}

function splitKeyValue(line: string): [key: string, value: string] | null {
  const colon = line.indexOf(':');
  const equal = line.indexOf('=');
  if (colon < 0 && equal < 0) return null;

  const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
  let value = line.slice(at + 1).trim();
  if (value !== '' && (value[0] === '"' || value[0] === "'") && value[0] === value[value.length - 1]) {
    value = value.slice(1, -1);
  }
  return [line.slice(0, at).trim(), value];
}
