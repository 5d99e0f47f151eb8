import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UtcTime } from '../../common/time';
import { ConsoleAuthTokensRepository } from '../../console/tokens/console-auth-tokens.repository';
import { LeaseWorkRepository } from '../data/lease-work.repository';
import { LeasesRepository } from '../data/leases.repository';
import { DriverFailureBackoff } from './driver-failure-backoff';
import { EventRecorder } from './event-recorder';
import { LeaseClaim } from './lease-claims';
import { HandoverResult } from './node-handover';
import { PlannedTransition, TransitionKind, TransitionOutcome, TRANSITIONS } from './transitions';

/**
 * The database half of transitions after their driver calls, in one transaction that holds
 * the leases' resource locks: for each lease still claimed by this attempt and still in the
 * status its transition expects, the events (all in one INSERT, start then end or error), the
 * status by compare-and-set, the claim cleared or, after a failed call, the back-off. A lease
 * whose status changed while its driver call ran (a cancel while it was being fulfilled) is
 * handed back for the next manager run; one whose claim lapsed belongs to its new holder.
 */
@Injectable()
export class TransitionRecorder {
  private readonly logger = new Logger('esi-leap.leases');

  constructor(
    private readonly events: EventRecorder,
    private readonly leases: LeasesRepository,
    private readonly work: LeaseWorkRepository,
    private readonly backoff: DriverFailureBackoff,
    private readonly consoleTokens: ConsoleAuthTokensRepository,
  ) {}

  async record(
    em: EntityManager,
    claim: LeaseClaim,
    result: HandoverResult,
    now: UtcTime,
  ): Promise<Map<string, TransitionOutcome>> {
    const outcomes = new Map<string, TransitionOutcome>();
    const uuids = claim.claimed.map((p) => p.lease.uuid);
    const current = new Map((await this.leases.takeManyForProcessing(em, uuids)).map((l) => [l.uuid, l]));
    const rows = await this.work.find(em, uuids);
    const settled: PlannedTransition[] = [];
    const movedOn: string[] = [];
    for (const planned of claim.claimed) {
      const { uuid } = planned.lease;
      outcomes.set(uuid, 'skipped');
      if (rows.get(uuid)?.claimedBy !== claim.token) continue;
      const status = current.get(uuid)?.status;
      if (status !== undefined && TRANSITIONS[planned.kind].from.includes(status)) settled.push(planned);
      else movedOn.push(uuid);
    }
    await this.work.handBack(em, movedOn, claim.token, now);
    await this.events.record(
      em,
      settled.flatMap(({ kind, lease }) => {
        const { events } = TRANSITIONS[kind];
        return [
          { type: events.start, lease },
          { type: result.failures.has(lease.uuid) ? events.error : events.end, lease },
        ];
      }),
      now,
    );
    const succeeded = settled.filter((p) => !result.failures.has(p.lease.uuid));
    for (const kind of Object.keys(TRANSITIONS) as TransitionKind[]) {
      const spec = TRANSITIONS[kind];
      const ofKind = succeeded.filter((p) => p.kind === kind).map((p) => p.lease.uuid);
      await this.leases.transitionMany(em, ofKind, spec.from, { status: spec.done, [spec.stamp]: now }, now);
    }
    await this.work.clear(
      em,
      succeeded.map((p) => p.lease.uuid),
    );
    await this.consoleTokens.deleteForNodes(
      succeeded.filter((p) => result.released.has(p.lease.uuid)).map((p) => p.lease.resourceUuid),
      em,
    );
    for (const { kind, lease } of succeeded) {
      outcomes.set(lease.uuid, 'done');
      this.logger.log(
        JSON.stringify({
          event: 'lease.transition',
          lease: lease.uuid,
          resource: `${lease.resourceType}/${lease.resourceUuid}`,
          from: lease.status,
          to: TRANSITIONS[kind].done,
        }),
      );
    }
    for (const { kind, lease } of settled.filter((p) => result.failures.has(p.lease.uuid))) {
      const spec = TRANSITIONS[kind];
      const attempts = rows.get(lease.uuid)?.attempts ?? 0;
      const err = result.failures.get(lease.uuid);
      outcomes.set(lease.uuid, await this.backoff.failed(em, lease, attempts, spec.waitStatus, spec.from, now, err));
    }
    return outcomes;
  }
}
