import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Server } from 'node:http';
import { limitHeapGrowth } from '../common/garbage-collection';
import { ConfigError } from '../config/config-error';
import { LoadedConfig } from '../config/config-loader';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { AppModule } from '../app/app.module';
import { configureHttpApp } from '../app/http-app';
import { Role, RoleSet, rolesOf } from '../app/roles';
import { connectIronicNotifications } from '../node-health/consumer/connect-ironic-notifications';
import { loggerFor } from '../ops/logging/esi-leap-logger';
import { firstStartHelp } from './first-start-help';
import { GracefulHttpServer } from './graceful-http-server';
import { httpsOptionsFrom } from './https-options';
import { listenForStatus } from './status-listener';

/**
 * Runs the roles asked for in this process until SIGTERM/SIGINT, then drains: the HTTP servers
 * stop accepting and finish what they were asked without resetting a connection, module
 * shutdown hooks let the manager finish its current step, and the process exits 0.
 */
export async function serve(loaded: LoadedConfig, role: Role): Promise<void> {
  limitHeapGrowth();
  const { config } = loaded;
  const logger = new Logger('esi-leap');
  const roles = rolesOf(role);
  checkListeners(config, roles);
  const httpsOptions = roles.api ? httpsOptionsFrom(config) : null;
  const app = await NestFactory.create(AppModule.forRoot(loaded, roles), {
    bodyParser: false,
    bufferLogs: false,
    logger: loggerFor(config),
    ...(httpsOptions ? { httpsOptions } : {}),
  });
  const servers = [new GracefulHttpServer(app.getHttpServer() as Server)];
  const host = config.api.host_ip;
  const statusPort = config.DEFAULT.status_port;
  // The manager's message-bus consumer: Ironic's notifications, acknowledged once acted on.
  const consumes = roles.manager && connectIronicNotifications(app, config);
  if (roles.api) {
    configureHttpApp(app);
    const { port } = config.api;
    await app.listen(port, host);
    logger.log(`API listening on ${httpsOptions ? 'https' : 'http'}://${host}:${port} (role ${role})`);
    if (statusPort > 0) {
      servers.push(new GracefulHttpServer(await listenForStatus(app, host, statusPort)));
      logger.log(`status on http://${host}:${statusPort}/healthcheck`);
    }
  } else if (statusPort > 0) {
    // Without the API module, the only routes are /healthcheck and /metrics: probes for the manager.
    await app.listen(statusPort, host);
    logger.log(`running (role ${role}); status on http://${host}:${statusPort}/healthcheck`);
  } else {
    await app.init();
    logger.log(`running (role ${role})`);
  }
  // Once every module is initialised: handlers must not run against a half-started manager.
  if (consumes) await app.startAllMicroservices();
  if (loaded.embedded) process.stdout.write(firstStartHelp(loaded));
  drainOnSignals(app, servers, config.DEFAULT.graceful_shutdown_timeout, logger);
}

/** Port settings that cannot work together, refused before anything starts. */
function checkListeners(config: EsiLeapConfig, roles: RoleSet): void {
  const statusPort = config.DEFAULT.status_port;
  if (config.metrics.enabled && statusPort === 0) {
    throw new ConfigError(
      '[metrics] enabled = true needs [DEFAULT] status_port: /metrics is served on the status port only',
    );
  }
  if (roles.api && statusPort !== 0 && statusPort === config.api.port) {
    throw new ConfigError(`[DEFAULT] status_port: ${statusPort} is [api] port already; give the status port its own`);
  }
}

/**
 * `[DEFAULT] graceful_shutdown_timeout` (seconds, 0 = no limit) bounds the HTTP drain; module
 * shutdown (the manager's current run, the database) follows it.
 */
function drainOnSignals(
  app: INestApplication,
  servers: GracefulHttpServer[],
  graceSeconds: number,
  logger: Logger,
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining`);
    Promise.all(servers.map((server) => server.drain(graceSeconds * 1000)))
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
