package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler's {@link SmtpHandler#handledEvents()} decides which of its methods the server calls,
 * whatever the handler overrides; every other event gets the interface's default on the event loop.
 * Through the session harness, with a handler executor that counts its tasks.
 */
@Timeout(20)
class DeclaredEventsTests {

  // counts the tasks given to the handler executor and runs them at once, as the harness needs
  private final AtomicInteger handlerTasks = new AtomicInteger();
  private final Executor counting =
      task -> {
        handlerTasks.incrementAndGet();
        task.run();
      };

  private SmtpServerBuilder server(SmtpHandler handler) {
    return TestServers.builder(handler).handlerExecutor(counting);
  }

  @Test
  void overriddenRcptToIsNotCalledWhenRcptToIsNotListed() throws Exception {
    List<String> recipients = new CopyOnWriteArrayList<>();
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> rcptTo(
              SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
            recipients.add(to.address());
            return Decision.reject(550, "5.1.1", "called").asStage();
          }

          @Override
          public Set<Event> handledEvents() {
            return Set.of(Event.MESSAGE);
          }
        };
    try (SessionHarness c = SessionHarness.greeted(server(handler))) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").line()).isEqualTo("250 2.1.5 Recipient ok");
      assertThat(handlerTasks).hasValue(0);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("Subject: hi\r\n\r\nbody\r\n.").line())
          .isEqualTo("250 2.0.0 Ok: message accepted");
    }
    assertThat(handler.takeMessage().envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("b@example.com");
    assertThat(recipients).isEmpty();
    assertThat(handlerTasks).hasValue(1);
  }

  @Test
  void handlerOverridingEveryMethodIsCalledOnlyForTheListedEvents() throws Exception {
    Everything handler = new Everything(EnumSet.of(Event.VERIFY, Event.DISCONNECT));
    try (SessionHarness c = SessionHarness.greeted(server(handler))) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("VRFY someone").line()).isEqualTo("550 5.0.0 verify called");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("body\r\n.").line())
          .isEqualTo("554 5.3.2 Message not accepted: no message handler");
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
    // disconnect is the last event and the executor runs tasks in order
    await().atMost(Duration.ofSeconds(5)).until(() -> handler.calls.contains(Event.DISCONNECT));
    assertThat(handler.calls).containsExactly(Event.VERIFY, Event.DISCONNECT);
    assertThat(handlerTasks).hasValue(2);
  }

  @Test
  void listedEventWithoutAnOverrideGetsTheDefaultOnTheExecutor() throws Exception {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public Set<Event> handledEvents() {
            return Set.of(Event.MAIL_FROM);
          }
        };
    try (SessionHarness c = SessionHarness.greeted(server(handler))) {
      c.ehlo();
      assertThat(handlerTasks).hasValue(0);
      assertThat(c.command("MAIL FROM:<a@example.com>").line()).isEqualTo("250 2.1.0 Sender ok");
      assertThat(handlerTasks).hasValue(1);
    }
  }

  @Test
  void handledEventsReturningNullIsRefusedWhenTheServerIsBuilt() {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public Set<Event> handledEvents() {
            return null;
          }
        };
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TestServers.builder(handler).build())
        .withMessageContaining("handledEvents()");
  }

  /** Overrides every method so that a call would show on the wire or in {@link #calls}. */
  private static final class Everything implements SmtpHandler {
    final List<Event> calls = new CopyOnWriteArrayList<>();
    private final Set<Event> handled;

    Everything(Set<Event> handled) {
      this.handled = handled;
    }

    @Override
    public Set<Event> handledEvents() {
      return handled;
    }

    private CompletionStage<Decision> called(Event event) {
      calls.add(event);
      return Decision.reject(550, "5.0.0", event.name().toLowerCase() + " called").asStage();
    }

    @Override
    public CompletionStage<Decision> connect(SessionInfo session) {
      return called(Event.CONNECT);
    }

    @Override
    public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
      return called(Event.GREETING);
    }

    @Override
    public CompletionStage<Decision> tls(SessionInfo session) {
      return called(Event.TLS);
    }

    @Override
    public CompletionStage<Decision> auth(SessionInfo session, String mechanism, String identity) {
      return called(Event.AUTH);
    }

    @Override
    public CompletionStage<Decision> mailFrom(
        SessionInfo session, ReversePath from, MailParameters parameters) {
      return called(Event.MAIL_FROM);
    }

    @Override
    public CompletionStage<Decision> rcptTo(
        SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
      return called(Event.RCPT_TO);
    }

    @Override
    public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
      return called(Event.DATA);
    }

    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      calls.add(Event.MESSAGE);
      return Decision.acceptStage();
    }

    @Override
    public CompletionStage<Decision> verify(SessionInfo session, String argument) {
      return called(Event.VERIFY);
    }

    @Override
    public CompletionStage<Optional<Reply>> command(
        SessionInfo session, String verb, String argument) {
      calls.add(Event.COMMAND);
      return CompletableFuture.completedStage(Optional.of(Reply.of(500, "5.5.1", "hooked")));
    }

    @Override
    public void reset(SessionInfo session) {
      calls.add(Event.RESET);
    }

    @Override
    public void quit(SessionInfo session) {
      calls.add(Event.QUIT);
    }

    @Override
    public void disconnect(SessionInfo session) {
      calls.add(Event.DISCONNECT);
    }
  }
}
