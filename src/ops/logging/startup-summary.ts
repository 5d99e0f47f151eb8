/**
 * Nest announces its start-up in some 45 lines (each module initialised, each controller and
 * route mapped). They say nothing an operator acts on, so they are counted and replaced by one
 * line when the application reports it has started; the details stay available at debug level.
 */
const MODULE_LOADER = 'InstanceLoader';
const CONTROLLER_RESOLVER = 'RoutesResolver';
const ROUTE_EXPLORER = 'RouterExplorer';
const FACTORY = 'NestFactory';
const APPLICATION = 'NestApplication';

const STARTUP_CONTEXTS: ReadonlySet<string> = new Set([
  MODULE_LOADER,
  CONTROLLER_RESOLVER,
  ROUTE_EXPLORER,
  FACTORY,
  APPLICATION,
]);

export function isFrameworkStartupLine(context: string): boolean {
  return STARTUP_CONTEXTS.has(context);
}

export class StartupSummary {
  private modules = 0;
  private controllers = 0;
  private routes = 0;

  /** Counts one start-up line; returns the summary once the application says it has started. */
  note(context: string): string | null {
    if (context === MODULE_LOADER) this.modules++;
    else if (context === CONTROLLER_RESOLVER) this.controllers++;
    else if (context === ROUTE_EXPLORER) this.routes++;
    else if (context === APPLICATION) return this.summary();
    return null;
  }

  private summary(): string {
    const { modules, controllers, routes } = this;
    this.modules = this.controllers = this.routes = 0;
    return `application started: ${modules} modules, ${controllers} controllers, ${routes} routes`;
  }
}
