package io.smtpprotocol.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The default of {@link SmtpHandler#handledEvents()}: the events whose methods are overridden. */
class HandledEventsTests {

  @Test
  void handlerOverridingNothingHandlesNoEvent() {
    assertThat(new SmtpHandler() {}.handledEvents()).isEmpty();
  }

  @Test
  void lmtpMessageAloneHandlesTheMessageEvent() {
    SmtpHandler lmtp =
        new SmtpHandler() {
          @Override
          public CompletionStage<java.util.List<Decision>> lmtpMessage(
              SessionInfo session, Envelope envelope, MessageBody body) {
            return CompletableFuture.completedStage(java.util.List.of(Decision.accept()));
          }
        };
    assertThat(lmtp.handledEvents()).containsExactly(Event.MESSAGE);
  }

  @Test
  void anonymousHandlerReportsTheTwoMethodsItOverrides() {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> rcptTo(
              SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
            return Decision.acceptStage();
          }

          @Override
          public void disconnect(SessionInfo session) {}
        };
    assertThat(handler.handledEvents()).containsExactlyInAnyOrder(Event.RCPT_TO, Event.DISCONNECT);
  }

  @Test
  void subclassHandlesWhatItAndItsSuperclassOverride() {
    assertThat(new MessageAndQuit().handledEvents())
        .containsExactlyInAnyOrder(Event.MESSAGE, Event.QUIT, Event.CONNECT);
  }

  @Test
  void subInterfaceDefaultsCountAsOverrides() {
    assertThat(new TakesGreetings() {}.handledEvents()).containsExactly(Event.GREETING);
  }

  @Test
  void handlerOverridingEveryMethodHandlesEveryEvent() {
    assertThat(new Everything().handledEvents()).containsExactlyInAnyOrder(Event.values());
  }

  @Test
  void defaultSetCannotBeChanged() {
    Set<Event> events = new MessageAndQuit().handledEvents();
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> events.add(Event.DATA));
  }

  // ------------------------------------------------------------------ handlers

  static class Connecting implements SmtpHandler {
    @Override
    public CompletionStage<Decision> connect(SessionInfo session) {
      return Decision.acceptStage();
    }
  }

  static final class MessageAndQuit extends Connecting {
    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      return Decision.acceptStage();
    }

    @Override
    public void quit(SessionInfo session) {}
  }

  interface TakesGreetings extends SmtpHandler {
    @Override
    default CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
      return Decision.acceptStage();
    }
  }

  static final class Everything implements SmtpHandler {
    @Override
    public CompletionStage<Decision> connect(SessionInfo session) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> tls(SessionInfo session) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> auth(SessionInfo session, String mechanism, String identity) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> mailFrom(
        SessionInfo session, ReversePath from, MailParameters parameters) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> rcptTo(
        SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> verify(SessionInfo session, String argument) {
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Optional<Reply>> command(
        SessionInfo session, String verb, String argument) {
      return CompletableFuture.completedStage(Optional.empty());
    }

    @Override
    public void reset(SessionInfo session) {}

    @Override
    public void quit(SessionInfo session) {}

    @Override
    public void disconnect(SessionInfo session) {}
  }
}
