import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IronicNodeNotification, NODE_EVENT_TYPES } from './ironic-notification';
import { NodeNotificationHandler } from './node-notification.handler';

/**
 * The node events the Ironic notification transport delivers (IronicNotificationsServer). The
 * returned promise settles once the effect has committed; the transport acknowledges then.
 * No HTTP routes.
 */
@Controller()
export class IronicNotificationsController {
  constructor(private readonly handler: NodeNotificationHandler) {}

  @EventPattern([...NODE_EVENT_TYPES])
  onNodeEvent(@Payload() notification: IronicNodeNotification): Promise<void> {
    return this.handler.handle(notification);
  }
}
