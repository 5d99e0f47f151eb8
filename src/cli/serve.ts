import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Server } from 'node:http';
import { limitHeapGrowth } from '../common/garbage-collection';
import { LoadedConfig } from '../config/config-loader';
import { AppModule } from '../app/app.module';
import { configureHttpApp } from '../app/http-app';
import { Role, rolesOf } from '../app/roles';
import { connectIronicNotifications } from '../node-health/consumer/connect-ironic-notifications';
import { loggerFor } from '../ops/logging/esi-leap-logger';
import { firstStartHelp } from './first-start-help';

/**
 * Runs the roles asked for in this process until SIGTERM/SIGINT, then drains: the HTTP
 * server stops accepting, in-flight requests finish, module shutdown hooks let the manager
 * finish its current step, and the process exits 0.
 */
export async function serve(loaded: LoadedConfig, role: Role): Promise<void> {
  limitHeapGrowth();
  const logger = new Logger('esi-leap');
  const roles = rolesOf(role);
  const app = await NestFactory.create(AppModule.forRoot(loaded, roles), {
    bodyParser: false,
    bufferLogs: false,
    logger: loggerFor(loaded.config),
  });
  // The manager's message-bus consumer: Ironic's notifications, acknowledged once acted on.
  const consumes = roles.manager && connectIronicNotifications(app, loaded.config);
  const statusPort = loaded.config.DEFAULT.status_port;
  if (roles.api) {
    configureHttpApp(app);
    const { host_ip: host, port } = loaded.config.api;
    await app.listen(port, host);
    logger.log(`API listening on http://${host}:${port} (role ${role})`);
  } else if (statusPort > 0) {
    // Without the API module, the only routes are /healthcheck and /metrics: probes for the manager.
    const host = loaded.config.api.host_ip;
    await app.listen(statusPort, host);
    logger.log(`running (role ${role}); status on http://${host}:${statusPort}/healthcheck`);
  } else {
    await app.init();
    logger.log(`running (role ${role})`);
  }
  // Once every module is initialised: handlers must not run against a half-started manager.
  if (consumes) await app.startAllMicroservices();
  if (loaded.embedded) process.stdout.write(firstStartHelp(loaded));
  drainOnSignals(app, logger);
}

function drainOnSignals(app: INestApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining`);
    const server = app.getHttpServer() as Server | undefined;
    const closing = app.close();
    // Idle keep-alive sockets would hold server.close() open; in-flight requests still finish.
    server?.closeIdleConnections?.();
    closing.then(
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
