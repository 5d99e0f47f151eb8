// The floor plan of docs/architecture.md ("Floor plan"): a folder imports only from its own
// floor or the ones below. `npm run lint` runs this; a violation or a cycle fails CI.
const floors = [
  ['config', 'common', 'constraints'],
  ['db', 'openstack'],
  ['auth', 'policy', 'drivers', 'projects', 'console/tokens'],
  ['leasing'],
  // Features and background work: HTTP modules, the manager, notifications, operations.
  ['offers', 'leases', 'events', 'nodes', 'console', 'version', 'ops', 'manager', 'notifications', 'lease-policy', 'quotas', 'outbox', 'node-health', 'timeline', 'web-console', 'webhooks', 'lease-groups', 'availability'],
  ['app', 'cli', 'main\\.ts'],
];

// A folder matches its own entry, not a deeper entry listed on another floor (console/tokens).
const deeper = floors.flat().filter((name) => name.includes('/'));
const folder = (name) =>
  deeper.some((d) => d.startsWith(`${name}/`))
    ? `^src/${name}/(?!${deeper.filter((d) => d.startsWith(`${name}/`)).map((d) => d.slice(name.length + 1)).join('|')}/)`
    : `^src/${name}(/|$)`;
const anyOf = (names) => names.map(folder);

const upward = floors.flatMap((names, level) =>
  level === floors.length - 1
    ? []
    : [
        {
          name: `floor-${level}-imports-up`,
          comment: `${names.join(', ')} may not import from a higher floor (docs/architecture.md)`,
          severity: 'error',
          from: { path: anyOf(names) },
          to: { path: anyOf(floors.slice(level + 1).flat()) },
        },
      ],
);

// Inside the leasing core: data/ is the bottom; limits/ (the limits file) and health/ (what is
// known of nodes' health) sit on it; booking/, lifecycle/, views/ and capacity/ build on those
// and never on each other; selection/ (finding free capacity) builds on capacity/ as well, and
// none of the others imports it.
const leasingParts = ['booking', 'lifecycle', 'views', 'capacity'];
const selectionUses = ['capacity'];
const leasing = [
  {
    name: 'leasing-data-imports-up',
    severity: 'error',
    from: { path: '^src/leasing/data/' },
    to: { path: `^src/leasing/(limits|health|selection|${leasingParts.join('|')})/` },
  },
  {
    name: 'leasing-limits-or-health-imports-up',
    severity: 'error',
    from: { path: '^src/leasing/(limits|health)/' },
    to: { path: `^src/leasing/(selection|${leasingParts.join('|')})/` },
  },
  ...leasingParts.map((part) => ({
    name: `leasing-${part}-imports-a-sibling`,
    severity: 'error',
    from: { path: `^src/leasing/${part}/` },
    to: { path: `^src/leasing/(selection|${leasingParts.filter((p) => p !== part).join('|')})/` },
  })),
  {
    name: 'leasing-selection-imports-a-sibling',
    severity: 'error',
    from: { path: '^src/leasing/selection/' },
    to: { path: `^src/leasing/(${leasingParts.filter((p) => !selectionUses.includes(p)).join('|')})/` },
  },
];

module.exports = {
  forbidden: [
    ...upward,
    ...leasing,
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'outside-floor-plan',
      comment: 'every folder of src/ has a floor in docs/architecture.md and in the list above',
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf(floors.flat()) },
      to: {},
    },
    { name: 'no-test-code-in-src', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
