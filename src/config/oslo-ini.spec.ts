import { IniDocument, IniParseError, parseOsloIni } from './oslo-ini';

/** The shape oslo's test parser records: section -> key -> values, repeated keys accumulated. */
function values(doc: IniDocument): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const entry of doc.entries) {
    const section = (out[entry.section] ??= {});
    (section[entry.key] ??= []).push(entry.value);
  }
  return out;
}

const parse = (...lines: string[]) => values(parseOsloIni(lines.join('\n'), 'test.conf'));
const parseError = (...lines: string[]): IniParseError => {
  try {
    parseOsloIni(lines.join('\n'), 'test.conf');
  } catch (err) {
    if (err instanceof IniParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
};

describe('parseOsloIni', () => {
  // Cases of oslo_config/tests/test_iniparser.py. Its test parser accepts keys before any section;
  // cfg.ConfigParser (what services use, and what this ports) does not, so they get a [test] header.
  describe("oslo's BaseParserTestCase", () => {
    it.each([
      ['invalid assignment', ['[test]', 'foo - bar'], "No ':' or '=' found in assignment"],
      ['empty key', ['[test]', ': bar'], 'Key cannot be empty'],
      ['unexpected continuation', ['   baz'], 'Unexpected continuation line'],
      ['invalid section', ['[section'], 'Invalid section (must end with ])'],
      ['no section name', ['[]'], 'Empty section name'],
    ])('%s is a parse error', (_name, lines, reason) => {
      expect(parseError(...lines).reason).toBe(reason);
    });
  });

  describe("oslo's ParserTestCase", () => {
    it('blank line', () => expect(parse('')).toEqual({}));
    it('assignment with =', () => expect(parse('[test]', 'foo = bar')).toEqual({ test: { foo: ['bar'] } }));
    it('assignment with :', () => expect(parse('[test]', 'foo: bar')).toEqual({ test: { foo: ['bar'] } }));
    it('multi-line assignment', () => {
      expect(parse('[test]', 'foo = bar0', '  bar1')).toEqual({ test: { foo: ['bar0\nbar1'] } });
    });
    it('a blank line ends a multi-line value, so an indented line after it is an error', () => {
      expect(parseError('[test]', 'foo = bar0', '', '  bar1').reason).toBe('Unexpected continuation line');
    });
    it('section assignment', () => expect(parse('[test]', 'foo = bar')).toEqual({ test: { foo: ['bar'] } }));
    it('new section', () => expect(parseOsloIni('[foo]').sections).toEqual(['foo']));
    it('comment', () => expect(parseOsloIni('[test]\n# foobar').entries).toEqual([]));
    it('empty assignment', () => expect(parse('[test]', 'foo = ')).toEqual({ test: { foo: [''] } }));
    it('single-quoted value keeps inner spaces', () => {
      expect(parse('[test]', "foo = ' bar '")).toEqual({ test: { foo: [' bar '] } });
    });
    it('double-quoted value keeps inner spaces', () => {
      expect(parse('[test]', 'foo = " bar "')).toEqual({ test: { foo: [' bar '] } });
    });
  });

  describe('cfg.ConfigParser rules', () => {
    it('rejects an assignment before any section', () => {
      const err = parseError('foo = bar');
      expect(err.reason).toBe('Section must be started before assignment');
      expect(err.lineNumber).toBe(1);
    });

    it('keeps every occurrence of a repeated key, in order', () => {
      expect(parse('[a]', 'driver = one', 'driver = two', '[a]', 'driver = three')).toEqual({
        a: { driver: ['one', 'two', 'three'] },
      });
    });

    it('reports section names as written (normalising is the loader’s job)', () => {
      expect(parseOsloIni('[API]\nport = 1\n[DEFAULT]').sections).toEqual(['API', 'DEFAULT']);
    });
  });

  describe('values', () => {
    it('keeps ; and # inside a value: only whole-line comments exist', () => {
      expect(parse('[database]', 'connection = mysql://u:pa;ss@h/db # not a comment')).toEqual({
        database: { connection: ['mysql://u:pa;ss@h/db # not a comment'] },
      });
    });

    it('splits at = when it comes before :', () => {
      expect(parse('[k]', 'auth_url = http://keystone:5000/v3')).toEqual({
        k: { auth_url: ['http://keystone:5000/v3'] },
      });
    });

    it('splits at : when it comes before =', () => {
      expect(parse('[k]', 'query: a=b')).toEqual({ k: { query: ['a=b'] } });
    });

    it('strips only one pair of matching outer quotes', () => {
      expect(parse('[q]', `a = "it's"`, `b = 'x"`, `c = ""quoted""`)).toEqual({
        q: { a: ["it's"], b: [`'x"`], c: ['"quoted"'] },
      });
    });

    it('joins continuation lines with \\n, each stripped on the left', () => {
      expect(parse('[m]', 'format = first', '\t  second', '    third', 'next = 1')).toEqual({
        m: { format: ['first\nsecond\nthird'], next: ['1'] },
      });
    });

    it('ends a multi-line value at a comment line', () => {
      expect(parseError('[m]', 'a = 1', '# note', '  2').reason).toBe('Unexpected continuation line');
    });

    it('treats a whitespace-only line as blank', () => {
      expect(parse('[m]', 'a = 1', '   ', 'b = 2')).toEqual({ m: { a: ['1'], b: ['2'] } });
    });

    it('accepts CRLF and CR line endings and a byte-order mark', () => {
      expect(values(parseOsloIni('\uFEFF[w]\r\na = 1\r\n  more\rb = 2\r\n'))).toEqual({
        w: { a: ['1\nmore'], b: ['2'] },
      });
    });

    it('records the line of each key', () => {
      const doc = parseOsloIni('[api]\n\n# c\nport = 1\nhost_ip = x\n  y\n');
      expect(doc.entries.map((e) => [e.key, e.line])).toEqual([
        ['port', 4],
        ['host_ip', 5],
      ]);
    });
  });

  describe('errors', () => {
    it('name the file and line and quote the line', () => {
      const err = parseError('[api]', 'port = 1', 'oops');
      expect(err).toBeInstanceOf(IniParseError);
      expect(err.file).toBe('test.conf');
      expect(err.lineNumber).toBe(3);
      expect(err.message).toBe(`test.conf:3: No ':' or '=' found in assignment: "oops"`);
    });
  });
});
