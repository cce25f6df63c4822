import { randomFillSync } from 'node:crypto';
import type { PublishCommand, PublishedReply } from '@presence/contracts';
import { applyPublish, BadRequestError, DEFAULT_PUBLICATION_LIMITS, markSuperseded, partitionOf, type Clock, type Publication, type PublicationLimits } from '@presence/core';
import { entityMatches, PidfError } from '@presence/pidf';
import type { PresenceMetrics } from '@presence/metrics';
import type { DocumentComposer } from '../presentity/document-composer.js';
import type { PresentityUpdater } from '../presentity/presentity-updater.js';
import { patchedBody, PIDF_CONTENT_TYPE, readPublishedBody, type PublishedBody } from './partial-publication.js';
import { deadlinePassed, RequestExpiredError } from './request-deadline.js';

/** 72 random bits per entity-tag, as 12 base64url characters. */
const ETAG_BYTES = 9;
/** randomBytes(9) cost ~6 µs a call (a PUBLISH is ~250 µs): tags are cut from one random block, refilled every 455 tags. */
const etagEntropy = Buffer.allocUnsafe(ETAG_BYTES * 455);
let etagOffset = etagEntropy.length;

function newEtag(): string {
  if (etagOffset + ETAG_BYTES > etagEntropy.length) {
    randomFillSync(etagEntropy);
    etagOffset = 0;
  }
  etagOffset += ETAG_BYTES;
  return etagEntropy.toString('base64url', etagOffset - ETAG_BYTES, etagOffset);
}

/** RFC 3903 §6: the ESC side of PUBLISH, after the edge validated the SIP parts. */
export class PublishHandler {
  constructor(
    private readonly updater: PresentityUpdater,
    private readonly composer: DocumentComposer,
    private readonly partitionCount: number,
    private readonly metrics: PresenceMetrics,
    private readonly deadlineMarginMs = 0,
    private readonly limits: PublicationLimits = DEFAULT_PUBLICATION_LIMITS,
    /** Without one, a change answered late is not marked (see answeredLate). */
    private readonly clock?: Clock,
  ) {}

  async handle(command: PublishCommand): Promise<PublishedReply> {
    // RFC 5264: a pidf-full is stored as the PIDF it holds; a pidf-diff patches the publication SIP-If-Match names.
    const published = readPublishedBody(command.body, command.contentType, command.ifMatch);
    if (published.kind === 'pidf' && published.body !== undefined) this.validateBody(command.presentity, published.body);
    const partition = partitionOf(command.presentity, this.partitionCount);
    const outcome = await this.updater.update(command.presentity, partition, (state, now) => {
      // Checked again here, just before the compare-and-set: the request may have queued behind others.
      if (deadlinePassed(command.deadline, now, this.deadlineMarginMs)) throw new RequestExpiredError();
      const result = applyPublish(state.publications, this.publishInput(command, published, state.publications, now), now, newEtag, this.limits);
      return { publications: result.publications, result };
    });
    this.metrics.publications.inc({ action: publishAction(command) });
    if (command.ifMatch !== undefined && outcome.expires > 0) await this.answeredLate(command, partition, command.ifMatch, outcome.etag);
    return { v: 1, type: 'published', etag: outcome.etag, expires: outcome.expires };
  }

  /**
   * Committed in time, but the answer would leave after the deadline: the
   * edge may have answered 503 and the publisher will retry with the
   * entity-tag this change replaced. Let that tag still name the publication
   * (markSuperseded), so the retry lands on it rather than getting 412 and
   * starting a second publication beside this one.
   */
  private async answeredLate(command: PublishCommand, partition: number, previousEtag: string, etag: string): Promise<void> {
    if (this.clock === undefined || !deadlinePassed(command.deadline, this.clock.now(), this.deadlineMarginMs)) return;
    await this.updater.update(command.presentity, partition, (state, now) => ({ publications: markSuperseded(state.publications, etag, previousEtag, now), result: undefined }));
  }

  /** The PUBLISH as RFC 3903 processing sees it: a patch becomes the patched document (validated as any body), an unknown entity-tag stays for applyPublish's 412. */
  private publishInput(command: PublishCommand, published: PublishedBody, publications: readonly Publication[], now: number): PublishCommand {
    if (published.kind === 'pidf') return { ...command, body: published.body, contentType: published.contentType };
    const body = patchedBody(publications, command.ifMatch!, published.operations, now);
    if (body === undefined) return { ...command, body: undefined };
    this.validateBody(command.presentity, body);
    return { ...command, body, contentType: PIDF_CONTENT_TYPE };
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
