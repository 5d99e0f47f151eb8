/**
 * Project look-ups the API needs: name ↔ id and the parent chain.
 * Keystone backs it in production; a static list from `[noauth]` in embedded mode.
 */
export abstract class ProjectDirectory {
  /** UUID-like idents are returned verbatim; names resolve or fail with ProjectNoSuchName. */
  abstract resolve(ident: string): Promise<string>;
  /** Display name; `""` for a null id or an unknown project. */
  abstract nameOf(projectId: string | null): Promise<string>;
  /** All known names at once, for decorating lists. */
  abstract names(): Promise<ReadonlyMap<string, string>>;
  /** `[project, parent, grandparent, …]`, the project itself first. */
  abstract ancestry(projectId: string): Promise<string[]>;

  /** The project's contact address (Keystone's free-form `email` property), if the directory knows one. */
  async contactEmail(_projectId: string): Promise<string | null> {
    return null;
  }
}
