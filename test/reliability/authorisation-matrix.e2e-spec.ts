import { testDatabaseKinds } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';
import { P } from '../support/projects';
import { printSummary, recordRow } from './support/summary';
import {
  CALLERS,
  Caller,
  CONTENTS,
  DISAGREEMENTS,
  Fixture,
  headersOf,
  ListName,
  Outcome,
  ROUTES,
  seedFixture,
  WEBHOOKS_ON,
} from './support/authorisation-table';

/**
 * Every route × caller against the hand-written table of support/authorisation-table.ts: the
 * status (and for refusals the fault) each caller gets, and for the lists which objects each
 * caller sees. Nothing here asks the policy engine what to expect.
 *
 * A cell where the service disagrees with the table stays as written and is listed in
 * DISAGREEMENTS; its case runs as `it.failing`, so it turns red the day the service changes.
 */
describe.each(testDatabaseKinds())('authorisation matrix, hand-written table (%s)', (kind) => {
  const tally = { cases: 0, allowed: 0, refused: 0, listed: 0, disagree: 0 };

  describe('status per route and caller', () => {
    let t: TestApp;
    let seq = 0;
    const fresh = () => {
      const uuid = `m-${kind}-${++seq}`;
      t.nodes.add(uuid, { owner: P.owner, lessee: P.lessee });
      return uuid;
    };

    beforeAll(async () => {
      t = await createTestApp({ kind, conf: WEBHOOKS_ON });
    });
    afterAll(() => t.close());

    it('the table has a row for every route the API serves', async () => {
      const res = await t.http().get('/docs-json');
      const served = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
        .filter(([p]) => p.startsWith('/v1/'))
        .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{[^}]+\}/g, '{id}')}`));
      const tabled = new Set(ROUTES.map((r) => r.route));
      expect(served.filter((r) => !tabled.has(r))).toEqual([]);
    });

    const cases = ROUTES.flatMap((route) =>
      CALLERS.map((caller, column) => [route.name, caller, route, route.outcomes[column]] as const),
    );
    const run = async (caller: Caller, route: (typeof ROUTES)[number], expected: Outcome) => {
      const { method, url, body } = await route.prepare(t, fresh);
      const req = t.http()[method](url).set(headersOf(caller));
      const res = body === undefined ? await req : await req.send(body);
      tally.cases += 1;
      tally[expected < 400 ? 'allowed' : 'refused'] += 1;
      const seen: Record<string, unknown> = { status: res.status };
      const wanted: Record<string, unknown> = { status: expected };
      if (expected >= 400) {
        seen.faultcode = res.body?.faultcode;
        wanted.faultcode = 'Client';
        seen.fault = faultKind(String(res.body?.faultstring));
        wanted.fault = expected === 403 ? 'denied' : expected === 404 ? 'not found' : 'no project';
      }
      expect(seen).toEqual(wanted);
    };
    for (const [name, caller, route, expected] of cases) {
      const disagreement = DISAGREEMENTS.find((d) => d.route === name && d.caller === caller && !d.list);
      if (disagreement) {
        tally.disagree += 1;
        it.failing(`${name} as ${caller}: table ${expected}, service ${disagreement.service}`, () =>
          run(caller, route, expected),
        );
      } else {
        it(`${name} as ${caller} → ${expected}`, () => run(caller, route, expected));
      }
    }
  });

  describe('what each caller sees in the lists', () => {
    let t: TestApp;
    let fixture: Fixture;

    beforeAll(async () => {
      t = await createTestApp({ kind, conf: WEBHOOKS_ON });
      fixture = await seedFixture(t);
    });
    afterAll(() => t.close());

    const lists = Object.keys(CONTENTS) as ListName[];
    const look = async (list: ListName, caller: Caller): Promise<{ status: number; names?: string[] }> => {
      const { url, key } = CONTENTS[list];
      const res = await t.http().get(url).set(headersOf(caller));
      if (res.status !== 200) return { status: res.status };
      const names = (res.body[key] as Array<Record<string, unknown>>).map((o) => fixture.nameOf(o));
      return { status: 200, names: names.sort() };
    };
    for (const list of lists) {
      CALLERS.forEach((caller, column) => {
        const expected = CONTENTS[list].seen[column];
        const want = typeof expected === 'number' ? { status: expected } : { status: 200, names: [...expected].sort() };
        const check = async () => {
          tally.listed += 1;
          expect(await look(list, caller)).toEqual(want);
        };
        const disagreement = DISAGREEMENTS.find((d) => d.route === list && d.caller === caller && d.list);
        if (disagreement) {
          tally.disagree += 1;
          it.failing(`${list} as ${caller}: table ${JSON.stringify(expected)}, service ${disagreement.service}`, check);
        } else {
          it(`${list} as ${caller} → ${JSON.stringify(expected)}`, check);
        }
      });
    }
  });

  afterAll(() => {
    recordRow({
      scenario: `authorisation matrix, hand-written table (${kind})`,
      load: `${ROUTES.length} routes + ${Object.keys(CONTENTS).length} list contents x ${CALLERS.length} callers`,
      faults: 'wrong roles, foreign projects, no roles, identities without a project, no identity headers',
      result:
        `${tally.cases} route cases (${tally.allowed} allowed, ${tally.refused} refused), ${tally.listed} list ` +
        `contents; ${tally.disagree} cells where the service disagrees with the table (run as failing cases)`,
    });
    printSummary();
  });
});

/** The family of a refusal, from its faultstring. */
function faultKind(faultstring: string): string {
  if (faultstring.startsWith('Access was denied to ')) return 'denied';
  if (faultstring.includes('Node not found') || faultstring.includes('not found')) return 'not found';
  if (faultstring.includes('cannot be None')) return 'no project';
  return faultstring;
}
