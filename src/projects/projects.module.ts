import { Module } from '@nestjs/common';
import { ESI_LEAP_CONFIG } from '../config/config.module';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { KeystoneSession, keystoneAuthOptionsFrom } from '../openstack/keystone-session';
import { OutboundHttp } from '../openstack/outbound-http';
import { outboundSettingsFrom } from '../openstack/outbound-settings';
import { KeystoneProjectDirectory } from './keystone-project-directory';
import { ProjectDirectory } from './project-directory';
import { parseStaticProjects, StaticProjectDirectory } from './static-project-directory';

/** The project directory: Keystone (`[keystone]`) when auth is enabled, else a static list from `[noauth]`. */
@Module({
  providers: [
    {
      provide: ProjectDirectory,
      useFactory: (config: EsiLeapConfig): ProjectDirectory => {
        if (config.pecan.auth_enable) return keystoneDirectory(config);
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

function keystoneDirectory(config: EsiLeapConfig): KeystoneProjectDirectory {
  const section = config.keystone;
  const http = new OutboundHttp(outboundSettingsFrom('Keystone', 'keystone', section));
  let session: KeystoneSession;
  try {
    session = new KeystoneSession(keystoneAuthOptionsFrom(section), http);
  } catch (err) {
    throw new Error(`[keystone]: ${(err as Error).message} (required with [pecan] auth_enable = true)`);
  }
  return new KeystoneProjectDirectory(session, {
    endpointOverride: section.endpoint_override,
    interfaces: section.valid_interfaces,
    region: section.region_name,
  });
}
