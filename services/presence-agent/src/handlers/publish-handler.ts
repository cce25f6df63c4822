import { randomBytes } from 'node:crypto';
import type { PublishCommand, PublishedReply } from '@presence/contracts';
import { applyPublish, BadRequestError, DEFAULT_PUBLICATION_LIMITS, partitionOf, type PublicationLimits } from '@presence/core';
import { entityMatches, PidfError } from '@presence/pidf';
import type { PresenceMetrics } from '@presence/metrics';
import type { DocumentComposer } from '../presentity/document-composer.js';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';
import { deadlinePassed, RequestExpiredError } from './request-deadline.js';

const newEtag = () => randomBytes(9).toString('base64url');

/** RFC 3903 §6: the ESC side of PUBLISH, after the edge validated the SIP parts. */
export class PublishHandler {
  constructor(
    private readonly updater: PresentityUpdater,
    private readonly composer: DocumentComposer,
    private readonly partitionCount: number,
    private readonly metrics: PresenceMetrics,
    private readonly deadlineMarginMs = 0,
    private readonly limits: PublicationLimits = DEFAULT_PUBLICATION_LIMITS,
  ) {}

  async handle(command: PublishCommand): Promise<PublishedReply> {
    if (command.body !== undefined) this.validateBody(command.presentity, command.body);
    const partition = partitionOf(command.presentity, this.partitionCount);
    const outcome = await this.updater.update(command.presentity, partition, (state, now) => {
      // Checked again here, just before the compare-and-set: the request may have queued behind others.
      if (deadlinePassed(command.deadline, now, this.deadlineMarginMs)) throw new RequestExpiredError();
      const result = applyPublish(state.publications, command, now, newEtag, this.limits);
      return { publications: result.publications, result };
    });
    this.metrics.publications.inc({ action: publishAction(command) });
    return { v: 1, type: 'published', etag: outcome.etag, expires: outcome.expires };
  }

  /** RFC 3903 §6 step 7: a body the ESC cannot process is refused with 400 naming the problem. */
  private validateBody(presentity: string, body: string): void {
    try {
      const document = this.composer.parse(body);
      if (!entityMatches(document.entity, presentity)) {
        throw new BadRequestError(`Invalid PIDF: entity ${document.entity} does not match ${presentity}`);
      }
    } catch (error) {
      if (error instanceof PidfError) throw new BadRequestError(error.reason, { cause: error });
      throw error;
    }
  }
}

function publishAction(command: PublishCommand): string {
  if (command.ifMatch === undefined) return 'create';
  if (command.expires === 0) return 'remove';
  return command.body === undefined ? 'refresh' : 'modify';
}
