import { P } from '../../support/projects';
import { Answer, DAY, HOUR, iso, patchTime, RaceCluster } from './race-cluster';
import { created, INVALIDATION_LIMIT, RaceTally, somewhere } from './race-tally';

/**
 * The limits file of these scenarios: lessees may extend their own leases (by up to two days
 * at a time), and the `other` project may hold at most QUOTA_NODES nodes at once.
 */
export const QUOTA_NODES = 8;
export const LIMITS_FILE = `
self_service_extension: true
defaults:
  max_extension: 2d
quotas:
  ${P.other}:
    nodes: ${QUOTA_NODES}
`;

/**
 * A lessee's self-service extension vs claims of the same window. OFFERS offers stay open for
 * the whole run; each round the lessee claims a one-day lease L on each, then fires, at once,
 * its own PATCH extending L by a day (under `esi_leap:lease:extend`, not `lease:update`) and
 * CLAIMS claims of exactly that next day by two other projects: exactly one may win. A race:
 * one claim in flight while the PATCH is.
 */
export async function selfServiceExtensionVsClaims(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const OFFERS = 10;
  const CLAIMS = 8;
  const t = new RaceTally();
  const origin = Math.ceil(Date.now() / 1000) * 1000 + DAY;
  const offers = await Promise.all(
    cluster.addNodes('sse', OFFERS).map(async (node, i) => {
      const a = await cluster.request(i, 'POST', '/v1/offers', 'owner', {
        resource_uuid: node,
        start_time: iso(origin),
        end_time: iso(origin + 400 * DAY),
      });
      return created(a, 'offer').uuid as string;
    }),
  );
  for (let round = 0; t.races < target && t.invalidations < INVALIDATION_LIMIT && round < 130; round++) {
    t.invalidations += OFFERS;
    const base = origin + 3 * round * DAY;
    const leases = await Promise.all(
      offers.map(async (uuid, i) => {
        const a = await cluster.request(i, 'POST', `/v1/offers/${uuid}/claim`, 'lessee', {
          start_time: iso(base),
          end_time: iso(base + DAY),
        });
        return created(a, 'claim of the lease to extend').uuid as string;
      }),
    );
    await Promise.all(
      offers.map(async (uuid, i) => {
        const at = somewhere(0, CLAIMS);
        let patch!: Promise<Answer>;
        const claims: Array<Promise<Answer>> = [];
        for (let j = 0; j < CLAIMS; j++) {
          if (j === at) {
            patch = cluster.request(i + 1, 'PATCH', `/v1/leases/${leases[i]}`, 'lessee', {
              end_time: patchTime(base + 2 * DAY),
            });
          }
          claims.push(
            cluster.request(i + j, 'POST', `/v1/offers/${uuid}/claim`, j % 2 ? 'childLessee' : 'owner2', {
              start_time: iso(base + DAY),
              end_time: iso(base + 2 * DAY),
            }),
          );
        }
        const [p, answers] = await Promise.all([patch, Promise.all(claims)]);
        t.add('self-service patch', p, [200, 409]);
        answers.forEach((a) => t.add('claim', a, [201, 409]));
        t.winners.push((p.status === 200 ? 1 : 0) + answers.filter((a) => a.status === 201).length);
        t.countRaces(answers, p.sentAt, p.answeredAt);
      }),
    );
  }
  return t;
}

/** One burst of claims by `other`, one per offer, spread over both API processes. */
export async function claimBurst(
  cluster: RaceCluster,
  offers: readonly string[],
  window: (i: number) => { start: number; end: number },
): Promise<Answer[]> {
  return Promise.all(
    offers.map((uuid, i) => {
      const { start, end } = window(i);
      return cluster.request(i, 'POST', `/v1/offers/${uuid}/claim`, 'otherLessee', {
        start_time: iso(start),
        end_time: iso(end),
      });
    }),
  );
}

/** `count` fresh offers from the owner, open for a year from `from`, made a few at a time. */
export async function openOffers(cluster: RaceCluster, scope: string, count: number, from: number): Promise<string[]> {
  const nodes = cluster.addNodes(scope, count);
  const uuids: string[] = [];
  for (let i = 0; i < nodes.length; i += 20) {
    const batch = await Promise.all(
      nodes.slice(i, i + 20).map(async (node, j) => {
        const a = await cluster.request(i + j, 'POST', '/v1/offers', 'owner', {
          resource_uuid: node,
          start_time: iso(from - HOUR),
          end_time: iso(from + 365 * DAY),
        });
        return created(a, 'offer').uuid as string;
      }),
    );
    uuids.push(...batch);
  }
  return uuids;
}
