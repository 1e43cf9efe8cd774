package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.server.SmtpInput.ContentStatus;
import io.smtpprotocol.server.SmtpServerObserver.MessageOutcome;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whether a message is finished, and its reply: the table of {@link Transaction#ending}. */
class TransactionEndingTests {

  private static final Reply CUSTOM_OK = Reply.of(250, "2.0.0", "Queued as 42");
  private static final Reply CUSTOM_NO = Reply.of(550, "5.7.1", "Spam");
  private static final Reply EARLIER = Reply.of(554, "5.6.0", "Refused before the last chunk");

  static Stream<Arguments> table() {
    Decision accept = Decision.accept();
    Decision reject = Decision.reject();
    return Stream.of(
        // spoiled content ends the message at once, whatever the handler does
        arguments(
            ContentStatus.TOO_LARGE,
            true,
            null,
            null,
            Replies.MESSAGE_TOO_BIG,
            MessageOutcome.FAILED),
        arguments(
            ContentStatus.TOO_LARGE,
            false,
            EARLIER,
            accept,
            Replies.MESSAGE_TOO_BIG,
            MessageOutcome.FAILED),
        arguments(
            ContentStatus.BARE_LINE_ENDING,
            true,
            null,
            null,
            Replies.BARE_LINE_ENDING_IN_DATA,
            MessageOutcome.FAILED),
        arguments(
            ContentStatus.BARE_LINE_ENDING,
            false,
            null,
            accept,
            Replies.BARE_LINE_ENDING_IN_DATA,
            MessageOutcome.FAILED),
        // complete content waits for a running handler
        arguments(ContentStatus.COMPLETE, true, null, null, null, null),
        arguments(ContentStatus.COMPLETE, true, EARLIER, accept, null, null),
        // then an earlier failure wins
        arguments(ContentStatus.COMPLETE, false, EARLIER, accept, EARLIER, MessageOutcome.FAILED),
        // then the handler's decision
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            accept,
            Replies.MESSAGE_ACCEPTED,
            MessageOutcome.ACCEPTED),
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            Decision.accept(CUSTOM_OK),
            CUSTOM_OK,
            MessageOutcome.ACCEPTED),
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            reject,
            Replies.MESSAGE_REJECTED,
            MessageOutcome.REJECTED),
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            Decision.reject(CUSTOM_NO),
            CUSTOM_NO,
            MessageOutcome.REJECTED),
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            Decision.reject(Replies.HANDLER_FAILURE),
            Replies.HANDLER_FAILURE,
            MessageOutcome.FAILED),
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            Decision.reject(Replies.SERVER_BUSY),
            Replies.SERVER_BUSY,
            MessageOutcome.FAILED),
        // no handler ever saw the content: never silently accepted
        arguments(
            ContentStatus.COMPLETE,
            false,
            null,
            null,
            Replies.NO_MESSAGE_HANDLER,
            MessageOutcome.REJECTED));
  }

  @ParameterizedTest(name = "{0}, handler running {1}, failure {2}, decision {3} -> {4} {5}")
  @MethodSource("table")
  void endingFollowsTheTable(
      ContentStatus end,
      boolean handlerRunning,
      Reply failure,
      Decision decision,
      Reply reply,
      MessageOutcome outcome) {
    Transaction.Ending ending = Transaction.ending(end, handlerRunning, failure, decision);
    if (reply == null) {
      assertThat(ending).isNull();
    } else {
      assertThat(ending).isEqualTo(new Transaction.Ending(reply, outcome));
    }
  }

  @Test
  void transactionWhoseContentStillComesInHasNoEnding() {
    Transaction t = new Transaction(Envelope.of(ReversePath.NULL, MailParameters.EMPTY));
    assertThat(t.ending()).isNull();
    t.contentEnd = ContentStatus.COMPLETE;
    t.handlerStarted = true;
    assertThat(t.ending()).isNull();
    t.handlerDone = true;
    t.decision = Decision.accept();
    assertThat(t.ending())
        .isEqualTo(new Transaction.Ending(Replies.MESSAGE_ACCEPTED, MessageOutcome.ACCEPTED));
  }
}
