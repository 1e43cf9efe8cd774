package io.smtpprotocol.server;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.server.SmtpInput.ContentStatus;
import io.smtpprotocol.server.SmtpServerObserver.MessageOutcome;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One mail transaction's mutable state, from MAIL to the final reply; event loop only. */
final class Transaction {

  Envelope envelope;
  final long startNanos = System.nanoTime();

  /** The content comes in BDAT chunks. */
  boolean bdat;

  long bdatOctets;

  /** The content stream for the message handler, once DATA or the first BDAT was accepted. */
  @Nullable BodyQueue body;

  boolean handlerStarted;
  boolean handlerDone;
  @Nullable Decision decision;

  /** LMTP: the handler's decision for each recipient, in RCPT order. */
  @Nullable List<Decision> recipientDecisions;

  /** How the content ended, or null while it comes in. */
  @Nullable ContentStatus contentEnd;

  long size;

  /** Why a BDAT message already failed; its last chunk is answered with this. */
  @Nullable Reply failure;

  Transaction(Envelope envelope) {
    this.envelope = envelope;
  }

  Duration sinceStart() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** The final reply to a message and how the metrics count it. */
  record Ending(Reply reply, MessageOutcome outcome) {}

  /** The ending of this transaction, or null while the content or the message handler runs. */
  @Nullable Ending ending() {
    ContentStatus end = contentEnd;
    return end == null ? null : ending(end, handlerStarted && !handlerDone, failure, decision);
  }

  /**
   * Whether a message whose content ended with {@code end} is finished, and its reply: spoiled
   * content is refused at once; otherwise a running message handler is waited for; then an earlier
   * failure wins over the handler's decision, and no decision at all (the content never reached a
   * handler) is a refusal.
   *
   * @return the ending, or null to wait for the handler
   */
  static @Nullable Ending ending(
      ContentStatus end,
      boolean handlerRunning,
      @Nullable Reply failure,
      @Nullable Decision decision) {
    if (end == ContentStatus.TOO_LARGE) {
      return new Ending(Replies.MESSAGE_TOO_BIG, MessageOutcome.FAILED);
    }
    if (end == ContentStatus.BARE_LINE_ENDING) {
      return new Ending(Replies.BARE_LINE_ENDING_IN_DATA, MessageOutcome.FAILED);
    }
    if (handlerRunning) {
      return null;
    }
    if (failure != null) {
      return new Ending(failure, MessageOutcome.FAILED);
    }
    Decision d = decision == null ? Decision.reject(Replies.NO_MESSAGE_HANDLER) : decision;
    Reply reply = d.replyOr(Replies.MESSAGE_ACCEPTED, Replies.MESSAGE_REJECTED);
    MessageOutcome outcome =
        d.accepted()
            ? MessageOutcome.ACCEPTED
            : reply == Replies.HANDLER_FAILURE || reply == Replies.SERVER_BUSY
                ? MessageOutcome.FAILED
                : MessageOutcome.REJECTED;
    return new Ending(reply, outcome);
  }
}
