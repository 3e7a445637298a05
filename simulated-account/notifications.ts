import type { Operations } from './context';
import type { IdGenerator } from './support';
import { ok } from './support';

export interface Notification {
  subject: string;
  message: string;
  messageId: string;
  /** Anything else the publisher passed (a task token for the manual mode, the topic ARN). */
  attributes?: Record<string, unknown>;
}

/** The notification topic: publishes are kept, in order, for tests and the CLI's timeline. */
export class SimulatedNotifications {
  public readonly messages: Notification[] = [];

  public constructor(private readonly ids: IdGenerator) {}

  public readonly operations: Operations = {
    Publish: (input: { subject: string; message: string; attributes?: Record<string, unknown> }) => {
      const notification: Notification = { subject: input.subject, message: input.message, messageId: this.ids.uuid() };
      if (input.attributes !== undefined) notification.attributes = structuredClone(input.attributes);
      this.messages.push(notification);
      return ok({ MessageId: notification.messageId });
    },
  };
}
