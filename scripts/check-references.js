#!/usr/bin/env node
// Fails (exit 1, one `file:line: text` per hit) when a tracked file cites notes that are not in
// the repository: the spec files `api.md`, `service.md`, `beyond.md`, `conventions.md`,
// `ecosystem.md`, a numbered `decisions.md` item, `shared/…`, `K-12` ids, `issue 24`, `#24`,
// `§`, lettered spec sections (`(B.8)`, `spec F.1`). A maintainer who clones the repository
// must be able to follow every reference, so a comment states the reason or links a section of
// `docs/`. Allowed: `docs/decisions.md, "Section"` and `decisions.md#anchor` when that heading
// exists, and upstream references that name their repository (`CCI-MOC/esi#263`,
// `esi-leap PR #150`). Run by `npm run lint`.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SCANNED = [
  'src',
  'test',
  'docs',
  'bench',
  'migrations',
  'scripts',
  'ui',
  'deploy',
  'config',
  '.ci',
  'Containerfile',
  'README.md',
];
// This script and its spec spell the forbidden forms out on purpose.
const SELF = new Set(['scripts/check-references.js', 'scripts/check-references.spec.js']);
const BINARY = /\.(png|jpe?g|gif|ico|woff2?|ttf|pdf)$/i;
// In stylesheets `#111` is a colour.
const STYLESHEET = /\.(css|scss|svg)$/i;

/** Each rule: a name for the message and a global regex; `allowed` vetoes a hit in context. */
const RULES = [
  { name: 'private spec file', re: /\b(?:api|service|beyond|conventions|ecosystem)\.md\b/g },
  { name: 'numbered decisions.md item', re: /\bdecisions\.md\s*(?:§|section\s*\d|\d)/gi },
  { name: 'private notes path', re: /(?:\/work\/shared|\bshared\/(?:spec|conventions|ecosystem|recipes|hooks)\b)/g },
  { name: 'weak-point id', re: /\bK-\d{1,2}\b/g },
  { name: 'section sign', re: /§/g },
  {
    name: 'spec section id',
    re: /\bspec [A-L](?:\.\d+)?\b|\((?:[A-L]\.\d+)(?:[–-][A-L]?\.?\d+)?(?:, ?[A-L]\.\d+)*(?: step \d+)?\)/g,
  },
  {
    name: 'issue number',
    re: /\b[Ii]ssue \d+/g,
    // `CCI-MOC/esi issue 263` names its repository.
    allowed: (line, index) => /[\w.-]+\/[\w.-]+ $/.test(line.slice(0, index)),
  },
  {
    name: 'bare #number',
    re: /(?:^|[\s(,;[–])#\d{1,3}\b/g,
    // `esi-leap PR #150`, `python-esileapclient pull request #56`: upstream, named.
    allowed: (line, index) => /[\w.-]+ (?:PR|pull request) ?$/i.test(line.slice(0, index)),
    skip: (file) => STYLESHEET.test(file),
  },
];

/** Headings of docs/decisions.md, as titles and as GitHub anchors. */
function decisionSections(text) {
  const titles = new Set();
  const anchors = new Set();
  for (const m of text.matchAll(/^#{2,6}\s+(.+?)\s*$/gm)) {
    titles.add(m[1]);
    anchors.add(
      m[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return { titles, anchors };
}

/**
 * The citations in one file's text: `{ line, rule, text }` per hit. `sections` (from
 * decisionSections) checks links into docs/decisions.md; without it they are not checked.
 */
function findCitations(text, file = '', sections = null) {
  const hits = [];
  text.split('\n').forEach((line, i) => {
    for (const rule of RULES) {
      if (rule.skip && rule.skip(file)) continue;
      for (const m of line.matchAll(rule.re)) {
        const at = m.index + m[0].match(/^[\s(,;[–]*/)[0].length;
        if (rule.allowed && rule.allowed(line, at)) continue;
        hits.push({ line: i + 1, rule: rule.name, text: line.trim() });
      }
    }
    if (!sections) return;
    for (const m of line.matchAll(/decisions\.md,\s*"([^"]+)"/g)) {
      if (!sections.titles.has(m[1]))
        hits.push({ line: i + 1, rule: `no section "${m[1]}" in docs/decisions.md`, text: line.trim() });
    }
    for (const m of line.matchAll(/decisions\.md#([\w-]+)/g)) {
      if (!sections.anchors.has(m[1]))
        hits.push({ line: i + 1, rule: `no anchor #${m[1]} in docs/decisions.md`, text: line.trim() });
    }
  });
  return hits;
}

function main() {
  const root = path.resolve(__dirname, '..');
  const files = execFileSync('git', ['ls-files', '-z', '--', ...SCANNED], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !SELF.has(f) && !BINARY.test(f) && fs.existsSync(path.join(root, f)));
  const sections = decisionSections(fs.readFileSync(path.join(root, 'docs', 'decisions.md'), 'utf8'));
  let count = 0;
  for (const file of files) {
    for (const hit of findCitations(fs.readFileSync(path.join(root, file), 'utf8'), file, sections)) {
      process.stderr.write(`${file}:${hit.line}: ${hit.rule}: ${hit.text}\n`);
      count++;
    }
  }
  if (count > 0) {
    process.stderr.write(
      `check-references: ${count} reference(s) a clone cannot follow; state the reason or link a docs/ section.\n`,
    );
    process.exit(1);
  }
}

module.exports = { findCitations, decisionSections };

if (require.main === module) main();
