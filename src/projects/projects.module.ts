import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { ProjectDirectory } from './project-directory';
import { parseStaticProjects, StaticProjectDirectory } from './static-project-directory';

/** The project directory: a static list from `[noauth]` (Keystone arrives with its own issue). */
@Module({
  providers: [
    {
      provide: ProjectDirectory,
      useFactory: (config: EsiLeapConfig): ProjectDirectory => {
        const configured = parseStaticProjects(config.noauth.projects);
        const defaultProject = { id: config.noauth.project_id, name: config.noauth.project_name, parentId: null };
        const known = configured.some((p) => p.id === defaultProject.id);
        return new StaticProjectDirectory(known ? configured : [defaultProject, ...configured]);
      },
      inject: [ESI_LEAP_CONFIG],
    },
  ],
  exports: [ProjectDirectory],
})
export class ProjectsModule {}
