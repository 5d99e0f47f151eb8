import { EXPIRY_BATCH, EXPIRY_TRAFFIC, sendAroundExpiry } from './race-waits';
import { Answer, DAY, HOUR, iso, patchTime, RaceCluster } from './race-cluster';
import { afterAWhile, created, INVALIDATION_LIMIT, LOST, RaceTally, somewhere } from './race-tally';

/**
 * Offer DELETE vs N claims of that offer. Each round, OFFERS fresh offers, and for each a burst
 * of CLAIMS claims (distinct windows, the first starting now so that a surviving lease would be
 * handed its node) with the owner's DELETE fired at a varying point and moment inside the
 * burst, all at once across both API processes. A race: one claim in flight while the DELETE of its offer is.
 */
export async function offerDeleteVsClaims(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const OFFERS = 8;
  const CLAIMS = 24;
  const t = new RaceTally();
  while (t.races < target && t.invalidations < INVALIDATION_LIMIT) {
    t.invalidations += OFFERS;
    const now = Date.now();
    const offers = await Promise.all(
      cluster.addNodes('odel', OFFERS).map(async (node, i) => {
        const a = await cluster.request(i, 'POST', '/v1/offers', 'owner', {
          resource_uuid: node,
          start_time: iso(now - HOUR),
          end_time: iso(now + 20 * DAY),
        });
        return created(a, 'offer').uuid as string;
      }),
    );
    await Promise.all(
      offers.map(async (uuid, i) => {
        const at = somewhere(CLAIMS / 4, CLAIMS);
        let deletion!: Promise<Answer>;
        const claims: Array<Promise<Answer>> = [];
        for (let j = 0; j < CLAIMS; j++) {
          if (j === at)
            deletion = afterAWhile(25, () => cluster.request(i + 1, 'DELETE', `/v1/offers/${uuid}`, 'owner'));
          const window =
            j === 0
              ? { end_time: iso(now + HOUR) }
              : { start_time: iso(now + j * HOUR), end_time: iso(now + (j + 1) * HOUR) };
          claims.push(cluster.request(i + j, 'POST', `/v1/offers/${uuid}/claim`, 'lessee', window));
        }
        const [d, answers] = await Promise.all([deletion, Promise.all(claims)]);
        t.add('delete', d, [200]);
        answers.forEach((a) => t.add('claim', a, [201, ...LOST]));
        t.countRaces(answers, d.sentAt, d.answeredAt);
      }),
    );
  }
  return t;
}

/**
 * Offer expiry vs claims. Each batch, EXPIRY_BATCH.size fresh offers end one after another a
 * second or two ahead; around each offer's T, claims of it arrive as EXPIRY_TRAFFIC says until
 * just after the manager has expired it (distinct windows inside the offer, so no claim loses
 * to another). A race: one claim in flight at some moment between the offer's T and its expiry
 * (its `updated_at`), the interval in which the system must choose between the claim and the end.
 */
export async function offerExpiryVsClaims(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const t = new RaceTally();
  while (t.races < target && t.invalidations < INVALIDATION_LIMIT) {
    const first = Date.now() + 1500;
    const offers = await Promise.all(
      cluster.addNodes('oexp', EXPIRY_BATCH.size).map(async (node, i) => {
        const T = first + i * EXPIRY_BATCH.staggerMs;
        const a = await cluster.request(i, 'POST', '/v1/offers', 'owner', {
          resource_uuid: node,
          start_time: iso(T - 3 * HOUR),
          end_time: iso(T),
        });
        return { uuid: created(a, 'offer').uuid as string, T };
      }),
    );
    t.invalidations += offers.length;
    const { answers, endedAt } = await sendAroundExpiry(
      cluster.db.dataSource,
      'offers',
      'expired',
      offers,
      EXPIRY_TRAFFIC,
      async (i, s) => {
        const from = offers[i].T - 2 * HOUR + s * 10_000;
        const claim = await cluster.request(i + s, 'POST', `/v1/offers/${offers[i].uuid}/claim`, 'lessee', {
          start_time: iso(from),
          end_time: iso(from + 10_000),
        });
        return [t.add('claim', claim, [201, ...LOST])];
      },
    );
    offers.forEach((o, i) => t.countRaces(answers[i], o.T, endedAt[i]));
  }
  return t;
}

/**
 * Lease extension vs a claim of the same window. OFFERS offers stay open for the whole run;
 * each round claims a one-day lease L on each, then fires, at once, an admin PATCH extending L
 * by one day and CLAIMS claims of exactly that next day: exactly one of them may win. A race:
 * one claim in flight while the PATCH is.
 */
export async function extensionVsClaim(cluster: RaceCluster, target: number): Promise<RaceTally> {
  const OFFERS = 10;
  const CLAIMS = 8;
  const t = new RaceTally();
  const origin = Math.ceil(Date.now() / 1000) * 1000 + DAY;
  const offers = await Promise.all(
    cluster.addNodes('ext', OFFERS).map(async (node, i) => {
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
        return created(a, 'claim of lease to extend').uuid as string;
      }),
    );
    await Promise.all(
      offers.map(async (uuid, i) => {
        const at = somewhere(0, CLAIMS);
        let patch!: Promise<Answer>;
        const claims: Array<Promise<Answer>> = [];
        for (let j = 0; j < CLAIMS; j++) {
          if (j === at)
            patch = cluster.request(i + 1, 'PATCH', `/v1/leases/${leases[i]}`, 'admin', {
              end_time: patchTime(base + 2 * DAY),
            });
          claims.push(
            cluster.request(i + j, 'POST', `/v1/offers/${uuid}/claim`, j % 2 ? 'lessee' : 'childLessee', {
              start_time: iso(base + DAY),
              end_time: iso(base + 2 * DAY),
            }),
          );
        }
        const [p, answers] = await Promise.all([patch, Promise.all(claims)]);
        t.add('patch', p, [200, 409]);
        answers.forEach((a) => t.add('claim', a, [201, 409]));
        t.winners.push((p.status === 200 ? 1 : 0) + answers.filter((a) => a.status === 201).length);
        t.countRaces(answers, p.sentAt, p.answeredAt);
      }),
    );
  }
  return t;
}
