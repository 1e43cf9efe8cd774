package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the session makes of its handler's answers, through the session harness; where the answer
 * comes from another thread or the handler pool is at stake, through a started server.
 */
@Timeout(20)
class HandlerDecisionTests {

  private final ScheduledExecutorService elsewhere = Executors.newSingleThreadScheduledExecutor();
  private SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    elsewhere.shutdownNow();
  }

  private static SessionHarness inTransaction(SmtpServerBuilder server) {
    SessionHarness c = SessionHarness.greeted(server);
    c.ehlo();
    assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
    return c;
  }

  private static RawClient rawInTransaction(SmtpServer server) throws IOException {
    RawClient c = RawClient.greeted(server.port());
    c.ehlo();
    assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
    return c;
  }

  /** A handler whose MAIL decision is computed by {@code decide}. */
  private static RecordingHandler mailDeciding(
      Function<ReversePath, CompletionStage<Decision>> decide) {
    return new RecordingHandler() {
      @Override
      public CompletionStage<Decision> mailFrom(
          SessionInfo session, ReversePath from, MailParameters parameters) {
        return decide.apply(from);
      }
    };
  }

  // ------------------------------------------------------------ asynchronous answers

  @Test
  void decisionsMayComeLaterFromAnotherThread() throws Exception {
    RecordingHandler handler =
        mailDeciding(
            from -> {
              CompletableFuture<Decision> f = new CompletableFuture<>();
              elsewhere.schedule(
                  () ->
                      f.complete(
                          from.address().startsWith("spam")
                              ? Decision.reject(550, "5.7.1", "Not from you")
                              : Decision.accept(
                                  Reply.of(250, "2.1.0", "Welcome " + from.address()))),
                  30,
                  TimeUnit.MILLISECONDS);
              return f;
            });
    server = TestServers.start(handler);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<spam@example.com>").line())
          .isEqualTo("550 5.7.1 Not from you");
      assertThat(c.command("MAIL FROM:<a@example.com>").line())
          .isEqualTo("250 2.1.0 Welcome a@example.com");
    }
  }

  @Test
  void handlerCodeNeverRunsOnAnEventLoop() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    SmtpHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> connect(SessionInfo session) {
            threads.add(Thread.currentThread().getName());
            return Decision.acceptStage();
          }

          @Override
          public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
            threads.add(Thread.currentThread().getName());
            return Decision.acceptStage();
          }

          @Override
          public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
            threads.add(Thread.currentThread().getName());
            return Decision.acceptStage();
          }

          @Override
          public CompletionStage<Decision> message(
              SessionInfo session, Envelope envelope, MessageBody body) {
            threads.add(Thread.currentThread().getName());
            return super.message(session, envelope, body);
          }
        };
    server = TestServers.start(handler);
    try (RawClient c = rawInTransaction(server)) {
      c.command("DATA");
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
    assertThat(threads)
        .isNotEmpty()
        .allSatisfy(name -> assertThat(name).startsWith("smtp-handler"));
  }

  // ------------------------------------------------------------ staged state

  @Test
  void rejectedMailLeavesNoTransaction() throws Exception {
    SmtpServerBuilder server =
        TestServers.builder(
            mailDeciding(
                from ->
                    (from.address().startsWith("bad") ? Decision.reject() : Decision.accept())
                        .asStage()));
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<bad@example.com>").line())
          .isEqualTo("550 5.7.1 Sender rejected");
      assertThat(c.command("RCPT TO:<b@example.com>").line()).startsWith("503 5.5.1 ");
      assertThat(c.command("MAIL FROM:<good@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void rejectedRecipientIsNotInTheEnvelope() throws Exception {
    List<List<String>> seenByHandler = new CopyOnWriteArrayList<>();
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> rcptTo(
              SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
            seenByHandler.add(envelope.mailboxes().stream().map(Mailbox::address).toList());
            return (to.localPart().equals("nobody") ? Decision.reject() : Decision.accept())
                .asStage();
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<nobody@example.com>").line())
          .isEqualTo("550 5.1.1 Recipient rejected");
      assertThat(c.command("RCPT TO:<c@example.com>").code()).isEqualTo(250);
      c.command("DATA");
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("b@example.com", "c@example.com");
    // each RCPT event sees the envelope without the recipient being decided
    assertThat(seenByHandler)
        .containsExactly(List.of(), List.of("b@example.com"), List.of("b@example.com"));
  }

  @Test
  void rejectedDataLeavesTheTransactionOpen() throws Exception {
    boolean[] first = {true};
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
            boolean reject = first[0];
            first[0] = false;
            return (reject ? Decision.reject(451, "4.3.1", "Try again") : Decision.accept())
                .asStage();
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = inTransaction(server)) {
      assertThat(c.command("DATA").line()).isEqualTo("451 4.3.1 Try again");
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
  }

  @Test
  void acceptingDataWithANon354ReplyStillOpensTheContentWith354() throws Exception {
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
            return Decision.accept(250, "fine").asStage();
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = inTransaction(server)) {
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().text()).isEqualTo("x\r\n");
  }

  @Test
  void rejectedGreetingLeavesTheSessionWithoutOne() throws Exception {
    SmtpHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
            return (hello.domain().endsWith(".invalid") ? Decision.reject() : Decision.accept())
                .asStage();
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      assertThat(c.command("EHLO bad.invalid").line()).isEqualTo("550 5.7.1 Hello rejected");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(503);
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void rejectedConnectionGetsTheReplyInsteadOfTheGreeting() throws Exception {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> connect(SessionInfo session) {
            return Decision.reject(554, "5.7.1", "Go away").asStage();
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = new SessionHarness(server)) {
      assertThat(c.reply().line()).isEqualTo("554 5.7.1 Go away");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  // ------------------------------------------------------------ implicit answers

  @Test
  void eventsWithoutAHandlerMethodAreAccepted() throws Exception {
    RecordingHandler handler = new RecordingHandler(); // overrides rcptTo and message only
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = inTransaction(server)) {
      assertThat(c.command("VRFY b").code()).isEqualTo(252);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().text()).isEqualTo("x\r\n");
  }

  @Test
  void messageIsNeverSilentlyAccepted() throws Exception {
    SmtpServerBuilder server = TestServers.builder(new SmtpHandler() {});
    try (SessionHarness c = inTransaction(server)) {
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.write("x".repeat(100_000) + "\r\n"); // more than the body buffer
      assertThat(c.command(".").line())
          .isEqualTo("554 5.3.2 Message not accepted: no message handler");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void messageHandlerDecidesTheFinalReply() throws Exception {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> message(
              SessionInfo session, Envelope envelope, MessageBody body) {
            try {
              String text =
                  new String(body.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
              return (text.contains("virus")
                      ? Decision.reject(554, "5.7.0", "Infected")
                      : Decision.accept(Reply.of(250, "2.0.0", "Queued as 42")))
                  .asStage();
            } catch (IOException e) {
              return CompletableFuture.failedFuture(e);
            }
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = inTransaction(server)) {
      c.command("DATA");
      assertThat(c.command("clean\r\n.").line()).isEqualTo("250 2.0.0 Queued as 42");
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      assertThat(c.command("a virus\r\n.").line()).isEqualTo("554 5.7.0 Infected");
    }
  }

  @Test
  void clientLeavingBeforeTheHandlerReadsTheBodyNeverGivesAHalfMessage() throws Exception {
    String message = "Subject: x\r\n\r\nthe whole text\r\n";
    CompletableFuture<Void> clientGone = new CompletableFuture<>();
    CompletableFuture<Object> read = new CompletableFuture<>();
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> message(
              SessionInfo session, Envelope envelope, MessageBody body) {
            clientGone.join();
            try {
              read.complete(new String(body.readAllBytes(), StandardCharsets.US_ASCII));
            } catch (IOException e) {
              read.complete(e);
            }
            return Decision.acceptStage();
          }
        };
    server = TestServers.start(handler);
    try (RawClient c = rawInTransaction(server)) {
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.send(message + ".\r\n");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
    clientGone.complete(null);
    assertThat(read.get(5, TimeUnit.SECONDS))
        .satisfiesAnyOf(
            r -> assertThat(r).isInstanceOf(IOException.class),
            r -> assertThat(r).isEqualTo(message));
  }

  // ------------------------------------------------------------ failures

  @Test
  void throwingHandlerGives451AndIsLoggedOnce() throws Exception {
    SmtpServerBuilder server =
        TestServers.builder(
            mailDeciding(
                from -> {
                  throw new IllegalStateException("database down");
                }));
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").line())
          .isEqualTo("451 4.3.0 Local error in processing, try again later");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      assertThat(log.warnings())
          .singleElement()
          .satisfies(
              e -> assertThat(e.getThrowableProxy().getMessage()).isEqualTo("database down"));
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(503);
    }
  }

  @Test
  void failedStageGives451() throws Exception {
    SmtpServerBuilder server =
        TestServers.builder(
            mailDeciding(from -> CompletableFuture.failedFuture(new IOException("no"))));
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").line()).startsWith("451 4.3.0 ");
      assertThat(log.warnings()).hasSize(1);
    }
  }

  @Test
  void nullStageGives451() throws Exception {
    SmtpServerBuilder server = TestServers.builder(mailDeciding(from -> null));
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").line()).startsWith("451 4.3.0 ");
    }
  }

  @Test
  void handlerThatDoesNotAnswerInTimeGives451AndItsLateAnswerIsIgnored() throws Exception {
    CompletableFuture<Decision> never = new CompletableFuture<>();
    SmtpServerBuilder server =
        TestServers.builder(
                mailDeciding(
                    from -> from.address().startsWith("slow") ? never : Decision.acceptStage()))
            .limits(Limits.DEFAULTS.withHandlerTimeout(Duration.ofMillis(200)));
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      c.write("MAIL FROM:<slow@example.com>\r\n");
      assertThat(c.silent()).isTrue(); // the handler has not answered yet
      assertThat(c.elapse(200).reply().line()).startsWith("451 4.3.0 ");
      never.complete(Decision.accept());
      // the late accept neither answers nor starts a transaction
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(503);
      assertThat(c.command("MAIL FROM:<fast@example.com>").code()).isEqualTo(250);
      assertThat(log.warnings()).hasSize(1);
    }
  }

  @Test
  void rejectExceptionGivesItsReplyHoweverItArrives() throws Exception {
    SmtpRejectException denied = new SmtpRejectException(550, "5.7.26", "DMARC policy");
    server =
        TestServers.start(
            mailDeciding(
                from ->
                    switch (from.address()) {
                      case "thrown@example.com" -> throw denied;
                      case "failed@example.com" -> CompletableFuture.failedFuture(denied);
                      case "wrapped@example.com" ->
                          CompletableFuture.failedFuture(new CompletionException(denied));
                      default ->
                          CompletableFuture.supplyAsync(
                              () -> {
                                throw denied;
                              },
                              elsewhere);
                    }));
    try (LogCapture log = new LogCapture(SmtpSession.class);
        RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      for (String sender : List.of("thrown", "failed", "wrapped", "async")) {
        assertThat(c.command("MAIL FROM:<" + sender + "@example.com>").line())
            .as(sender)
            .isEqualTo("550 5.7.26 DMARC policy");
      }
      assertThat(log.warnings()).isEmpty();
    }
  }

  @Test
  void saturatedHandlerPoolGives451BusyInsteadOfQueueing() throws Exception {
    CompletableFuture<Void> entered = new CompletableFuture<>();
    CompletableFuture<Void> release = new CompletableFuture<>();
    RecordingHandler handler =
        mailDeciding(
            from -> {
              if (from.address().startsWith("slow")) {
                entered.complete(null);
                release.join(); // holds the only handler thread
              }
              return Decision.acceptStage();
            });
    server = TestServers.builder(handler).handlerThreads(1).build().start();
    try (LogCapture log = new LogCapture(SmtpSession.class);
        RawClient a = RawClient.greeted(server.port());
        RawClient b = RawClient.greeted(server.port())) {
      a.ehlo();
      b.ehlo();
      a.send("MAIL FROM:<slow@example.com>\r\n");
      entered.get(5, TimeUnit.SECONDS);
      assertThat(b.command("MAIL FROM:<b@example.com>").line())
          .isEqualTo("451 4.3.2 Server busy, try again later");
      release.complete(null);
      assertThat(a.reply().code()).isEqualTo(250);
      // the thread is free again (retried: it may take a moment to wait for work)
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> b.command("MAIL FROM:<b@example.com>").code() == 250);
      assertThat(log.warnings()).isNotEmpty();
    }
  }

  @Test
  void throwingMessageHandlerGives451AndNothingIsDelivered() throws Exception {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> message(
              SessionInfo session, Envelope envelope, MessageBody body) {
            throw new IllegalStateException("disk full");
          }
        };
    SmtpServerBuilder server = TestServers.builder(handler);
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = inTransaction(server)) {
      c.command("DATA");
      assertThat(c.command("x\r\n.").line()).startsWith("451 4.3.0 ");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      assertThat(log.warnings()).hasSize(1);
    }
  }
}
