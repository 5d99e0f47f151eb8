import { Injectable } from '@nestjs/common';
import { TtlCache } from '../../openstack/ttl-cache';
import { ProjectDirectory } from '../../projects/project-directory';

/** As BookedResources: outlasts any lock wait, so a chain read before locking is there inside. */
const KEEP_MS = 10 * 60_000;
const MOST_KEPT = 10_000;

/**
 * Projects' parent chains for the quotas that count sub-projects: read from the project
 * directory (Keystone) before a booking locks anything, and looked up inside the lock.
 */
@Injectable()
export class ProjectAncestry {
  private readonly chains = new TtlCache<string, readonly string[]>(MOST_KEPT);

  constructor(private readonly projects: ProjectDirectory) {}

  async load(projectIds: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set(projectIds)].map(async (id) => this.chains.set(id, await this.projects.ancestry(id), KEEP_MS)),
    );
  }

  /** `[project, parent, grandparent, …]` as last loaded; undefined when not loaded. */
  chainOf(projectId: string): readonly string[] | undefined {
    return this.chains.get(projectId);
  }
}
