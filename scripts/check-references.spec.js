const { decisionSections, findCitations } = require('./check-references');

const rulesOf = (text, file, sections) => findCitations(text, file, sections).map((h) => h.rule);

describe('check-references', () => {
  it.each([
    ['// upstream order (api.md §2.3)', 'private spec file'],
    ['/** catalogue (api.md 1.10.2) */', 'private spec file'],
    ['see service.md', 'private spec file'],
    ['rules of beyond.md', 'private spec file'],
    ['as conventions.md says', 'private spec file'],
    ['ecosystem.md lists it', 'private spec file'],
    ["it('404 for everyone (decisions.md 18)'", 'numbered decisions.md item'],
    ['follows decisions.md 1 where', 'numbered decisions.md item'],
    ['docs/decisions.md §4', 'numbered decisions.md item'],
    ['read /work/shared/spec/api.md', 'private notes path'],
    ['`shared/spec/decisions.md` unless', 'private notes path'],
    ['the indexes of K-22:', 'weak-point id'],
    ['// K-23: an error lease', 'weak-point id'],
    ['see issue 24', 'issue number'],
    [' * Issue 11.6: limits', 'issue number'],
    ["it('creates (#87, #89)'", 'bare #number'],
    ['fixed in #24', 'bare #number'],
    ['#24 at the start of a line', 'bare #number'],
    ['per the spec § 3', 'section sign'],
    ['under `lock_path` (B.8). Those', 'spec section id'],
    ['upstream tears down (E.2 step 5)', 'spec section id'],
    ['options (`esi_leap/conf/*.py`, spec F.1)', 'spec section id'],
  ])('flags %j', (text, rule) => {
    expect(rulesOf(text, 'src/x.ts')).toContain(rule);
  });

  it('reports the line of each hit', () => {
    const hits = findCitations('fine\n// see K-7\nfine\n// issue 3', 'src/x.ts');
    expect(hits.map((h) => h.line)).toEqual([2, 4]);
  });

  it.each([
    'see docs/decisions.md, "Leasing rules"',
    '[decisions](decisions.md#web-console)',
    '- [docs/decisions.md](docs/decisions.md): where we depart',
    'fixed upstream in CCI-MOC/esi#263',
    'esi-leap PR #150 added it',
    'python-esileapclient pull request #56',
    'CCI-MOC/esi-leap issue 12',
    'connection = mysql+pymysql://u:pa;ss#1@db/esi_leap',
    "expect(url).toBe('http://host/#/leases')",
    'An item of step 4 in 1.2.3 of v1.10',
    'the API issues tokens',
    'docs/architecture.md, "Concurrency design"',
  ])('allows %j', (text) => {
    expect(findCitations(text, 'src/x.ts')).toEqual([]);
  });

  it('allows colours in stylesheets', () => {
    expect(findCitations('  stroke: #111;', 'ui/src/styles.css')).toEqual([]);
    expect(rulesOf('  stroke: #111;', 'ui/src/app.tsx')).toEqual(['bare #number']);
  });

  describe('links into docs/decisions.md', () => {
    const sections = decisionSections('# Decisions\n\n## Leasing rules\n- x\n## Notifications and e-mail\n');

    it('accepts an existing section by title or anchor', () => {
      expect(findCitations('(docs/decisions.md, "Leasing rules")', 'src/x.ts', sections)).toEqual([]);
      expect(findCitations('[n](decisions.md#notifications-and-e-mail)', 'docs/x.md', sections)).toEqual([]);
    });

    it('flags a section or anchor that does not exist', () => {
      expect(rulesOf('(docs/decisions.md, "Leasing")', 'src/x.ts', sections)).toEqual([
        'no section "Leasing" in docs/decisions.md',
      ]);
      expect(rulesOf('[n](decisions.md#manager)', 'docs/x.md', sections)).toEqual([
        'no anchor #manager in docs/decisions.md',
      ]);
    });
  });
});
