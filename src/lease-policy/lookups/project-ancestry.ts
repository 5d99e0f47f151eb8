import { Injectable } from '@nestjs/common';
import { ProjectDirectory } from '../../projects/project-directory';

/** `[project, parent, grandparent, …]` by project. */
export type ProjectChains = ReadonlyMap<string, readonly string[]>;

/**
 * Projects' parent chains, for the quotas that count sub-projects: read from the project
 * directory (Keystone) before a booking locks anything, never inside the lock.
 */
@Injectable()
export class ProjectAncestry {
  constructor(private readonly projects: ProjectDirectory) {}

  async load(projectIds: Iterable<string>): Promise<ProjectChains> {
    const ids = [...new Set(projectIds)];
    const chains = await Promise.all(ids.map((id) => this.projects.ancestry(id)));
    return new Map(ids.map((id, i) => [id, chains[i]]));
  }
}
