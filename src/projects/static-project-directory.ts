import { ProjectNoSuchName } from '../common/errors/esi-leap.exceptions';
import { isUuidLike } from '../common/uuid-like';
import { ProjectDirectory } from './project-directory';

export interface StaticProject {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
}

/** Parses `[noauth] projects` entries: `id:name` or `id:name:parent_id`. */
export function parseStaticProjects(entries: readonly string[]): StaticProject[] {
  return entries.map((entry) => {
    const [id, name, parentId] = entry.split(':').map((part) => part.trim());
    if (!id || name === undefined) {
      throw new Error(`[noauth] projects: invalid entry '${entry}': expected id:name or id:name:parent_id`);
    }
    return { id, name, parentId: parentId || null };
  });
}

/** The project directory of embedded (noauth) mode: a fixed list from configuration. */
export class StaticProjectDirectory extends ProjectDirectory {
  private readonly byId: Map<string, StaticProject>;

  constructor(projects: readonly StaticProject[]) {
    super();
    this.byId = new Map(projects.map((p) => [p.id, p]));
  }

  async resolve(ident: string): Promise<string> {
    if (isUuidLike(ident)) return ident;
    for (const project of this.byId.values()) {
      if (project.name === ident) return project.id;
    }
    throw new ProjectNoSuchName({ name: ident });
  }

  async nameOf(projectId: string | null): Promise<string> {
    if (!projectId) return '';
    return this.byId.get(projectId)?.name ?? '';
  }

  async names(): Promise<ReadonlyMap<string, string>> {
    return new Map([...this.byId.values()].map((p) => [p.id, p.name]));
  }

  async ancestry(projectId: string): Promise<string[]> {
    const chain = [projectId];
    let current = this.byId.get(projectId);
    while (current?.parentId && !chain.includes(current.parentId)) {
      chain.push(current.parentId);
      current = this.byId.get(current.parentId);
    }
    return chain;
  }
}
