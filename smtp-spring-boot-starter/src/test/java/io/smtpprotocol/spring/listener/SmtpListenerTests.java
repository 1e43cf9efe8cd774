package io.smtpprotocol.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.spring.autoconfigure.SmtpServerAutoConfiguration;
import io.smtpprotocol.spring.autoconfigure.SmtpServerCustomizer;
import io.smtpprotocol.testing.RawClient;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** {@code @SmtpListener} methods answer the protocol events, checked on the wire. */
@ExtendWith(OutputCaptureExtension.class)
class SmtpListenerTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
          .withPropertyValues(
              "smtp.server.port=0", "smtp.server.address=127.0.0.1", "smtp.server.domain=mx.test");

  /** What a test says to the server and expects back, on one greeted connection. */
  private interface Conversation {
    void with(RawClient client) throws Exception;
  }

  /** Starts the server with {@code listener} as a bean and holds {@code conversation} with it. */
  private void converse(Class<?> listener, Conversation conversation) {
    runner
        .withBean(listener)
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                conversation.with(c);
              }
            });
  }

  private static int port(AssertableApplicationContext context) {
    return context.getEnvironment().getRequiredProperty("local.smtp.server.port", Integer.class);
  }

  @Test
  void booleanFalseRejectsWithTheEventsDefaultReply() {
    converse(
        Recipients.class,
        c -> {
          assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
          assertThat(c.command("RCPT TO:<known@example.com>").toString())
              .isEqualTo("250 2.1.5 Recipient ok");
          assertThat(c.command("RCPT TO:<stranger@elsewhere.test>").toString())
              .isEqualTo("550 5.1.1 Recipient rejected");
        });
  }

  @Test
  void decisionRepliesReachTheClient() {
    converse(
        Senders.class,
        c -> {
          assertThat(c.command("MAIL FROM:<spam@spam.test>").toString())
              .isEqualTo("550 5.7.1 Go away");
          assertThat(c.command("MAIL FROM:<friend@example.com>").toString())
              .isEqualTo("250 2.1.0 Welcome friend@example.com");
        });
  }

  @Test
  void smtpRejectExceptionGivesItsReply() {
    converse(
        Throwing.class,
        c -> {
          c.command("MAIL FROM:<a@example.com>");
          assertThat(c.command("RCPT TO:<full@example.com>").toString())
              .isEqualTo("452 4.2.2 Mailbox full");
        });
  }

  @Test
  void otherExceptionsGive451AndAreLoggedOnceNamingTheMethod(CapturedOutput output) {
    converse(
        Throwing.class,
        c -> {
          c.command("MAIL FROM:<a@example.com>");
          assertThat(c.command("RCPT TO:<broken@example.com>").toString())
              .isEqualTo("451 4.3.0 Local error in processing, try again later");
        });
    assertThat(output.getOut().split("database is down", -1)).hasSize(2);
    assertThat(output)
        .contains("@SmtpListener(RCPT_TO) method")
        .contains(Throwing.class.getName() + ".recipient(Mailbox)")
        .contains("on bean '");
  }

  @Test
  void oversizedMessageIsNotLoggedAsAListenerFailure(CapturedOutput output) {
    runner
        .withBean(Streaming.class)
        .withPropertyValues("smtp.server.max-message-size=64KB")
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                // larger than one socket read: the listener starts reading, then the body fails
                String big = ("x".repeat(98) + "\r\n").repeat(2000);
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.command(big + ".").toString()).startsWith("552 5.3.4");
                assertThat(c.command("NOOP").code()).isEqualTo(250);
              }
            });
    assertThat(output).doesNotContain("WARN").doesNotContain("MessageAbortedException");
  }

  @Test
  void onLmtpAMessageListenerAnswersEachRecipient() {
    runner
        .withBean(PerRecipient.class)
        .withPropertyValues("smtp.server.lmtp=true")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                assertThat(c.reply().toString()).contains("LMTP");
                assertThat(c.command("LHLO client.test").code()).isEqualTo(250);
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<ann@example.com>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<full@example.com>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<bob@example.com>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                c.send("Subject: hi\r\n\r\nbody\r\n.\r\n");
                assertThat(c.reply().toString()).isEqualTo("250 2.0.0 Ok: message accepted");
                assertThat(c.reply().toString()).isEqualTo("452 4.2.2 Mailbox full");
                assertThat(c.reply().toString()).isEqualTo("250 2.0.0 Ok: message accepted");
              }
            });
  }

  @Test
  void onSmtpADecisionPerRecipientAcceptsWhenAnyRecipientIsAccepted() {
    converse(
        PerRecipient.class,
        c -> {
          assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
          assertThat(c.command("RCPT TO:<full@example.com>").code()).isEqualTo(250);
          assertThat(c.command("RCPT TO:<ann@example.com>").code()).isEqualTo(250);
          assertThat(c.command("DATA").code()).isEqualTo(354);
          assertThat(c.command("Subject: hi\r\n\r\nbody\r\n.").code()).isEqualTo(250);
          assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
          assertThat(c.command("RCPT TO:<full@example.com>").code()).isEqualTo(250);
          assertThat(c.command("DATA").code()).isEqualTo(354);
          assertThat(c.command("Subject: hi\r\n\r\nbody\r\n.").toString())
              .isEqualTo("452 4.2.2 Mailbox full");
        });
  }

  @Test
  void voidAcceptsAndCompletionStageIsAwaited() {
    converse(
        Async.class,
        c -> {
          assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
          assertThat(c.command("RCPT TO:<later@example.com>").toString())
              .isEqualTo("251 2.1.5 Will forward");
          assertThat(c.command("RCPT TO:<never@example.com>").code()).isEqualTo(550);
          assertThat(c.command("DATA").code()).isEqualTo(354);
        });
  }

  @Test
  void listenersRunInOrderAndTheFirstRejectWins() {
    runner
        .withBean(Ordered.class)
        .run(
            context -> {
              Ordered ordered = context.getBean(Ordered.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.command("MAIL FROM:<a@example.com>");
                assertThat(c.command("RCPT TO:<ok@example.com>").toString())
                    .isEqualTo("250 2.1.5 first says yes");
                assertThat(ordered.calls).containsExactly("first", "second", "third");
                ordered.calls.clear();
                assertThat(c.command("RCPT TO:<no@example.com>").toString())
                    .isEqualTo("550 5.1.1 second says no");
                assertThat(ordered.calls).containsExactly("first", "second");
              }
            });
  }

  @Test
  void parametersAreResolvedByType() {
    runner
        .withBean(Parameters.class)
        .run(
            context -> {
              Parameters p = context.getBean(Parameters.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.command("MAIL FROM:<a@example.com> SIZE=100 BODY=8BITMIME");
                c.command("RCPT TO:<b@example.com>");
                c.command("RCPT TO:<c@example.com>");
                assertThat(c.command("DATA").code()).isEqualTo(354);
              }
              assertThat(p.seen.poll(5, TimeUnit.SECONDS))
                  .isEqualTo("GREETING EHLO client.test client.test");
              assertThat(p.seen.poll(5, TimeUnit.SECONDS))
                  .isEqualTo("MAIL_FROM <a@example.com> a@example.com a@example.com SIZE=100");
              assertThat(p.seen.poll(5, TimeUnit.SECONDS))
                  .isEqualTo("RCPT_TO b@example.com b@example.com <a@example.com> 0");
              assertThat(p.seen.poll(5, TimeUnit.SECONDS))
                  .isEqualTo("RCPT_TO c@example.com c@example.com <a@example.com> 1");
              assertThat(p.seen.poll(5, TimeUnit.SECONDS)).isEqualTo("DATA <a@example.com> 2");
            });
  }

  @Test
  void nullSenderGivesNullMailboxAndEmptyAddress() {
    runner
        .withBean(Parameters.class)
        .run(
            context -> {
              Parameters p = context.getBean(Parameters.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.command("MAIL FROM:<>").code()).isEqualTo(250);
              }
              p.seen.poll(5, TimeUnit.SECONDS);
              assertThat(p.seen.poll(5, TimeUnit.SECONDS)).isEqualTo("MAIL_FROM <> null  ");
            });
  }

  @Test
  void messageListenerStreamsTheBodyAndItsAcceptMeansStored() {
    runner
        .withBean(Streaming.class)
        .run(
            context -> {
              Streaming s = context.getBean(Streaming.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(
                        c.mail("a@example.com", "b@example.com", "Subject: hi\r\n\r\n..dot")
                            .toString())
                    .isEqualTo("250 2.0.0 Ok: message accepted");
              }
              assertThat(s.bodies).containsExactly("Subject: hi\r\n\r\n.dot\r\n");
            });
  }

  @Test
  void bufferedListenersShareOneReadOfTheBody() {
    runner
        .withBean(Buffered.class)
        .run(
            context -> {
              Buffered b = context.getBean(Buffered.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(
                        c.mail("a@example.com", "b@example.com", "Subject: hello\r\n\r\nbody")
                            .code())
                    .isEqualTo(250);
              }
              assertThat(b.seen).containsExactly("bytes 24", "mime hello");
            });
  }

  @Test
  void withoutMessageListenerMessagesAreRefusedAndAWarningIsLogged(CapturedOutput output) {
    converse(
        Recipients.class,
        c -> {
          assertThat(c.mail("a@example.com", "known@example.com", "x").toString())
              .isEqualTo("554 5.3.2 Message not accepted: no message handler");
        });
    assertThat(output).contains("No @SmtpListener(SmtpEvent.MESSAGE) method");
  }

  @Test
  void eventsWithoutListenersNeverReachTheHandlerThreads() {
    runner
        .withBean(Recipients.class)
        .withUserConfiguration(CountingExecutor.class)
        .run(
            context -> {
              assertThat(context.getBean(SmtpHandler.class).handledEvents())
                  .containsExactly(SmtpHandler.Event.RCPT_TO);
              AtomicInteger tasks = context.getBean(CountingExecutor.class).tasks;
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
                assertThat(tasks).hasValue(0);
                assertThat(c.command("RCPT TO:<known@example.com>").code()).isEqualTo(250);
                assertThat(tasks).hasValue(1);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.command("Subject: x\r\n\r\nbody\r\n.").toString())
                    .isEqualTo("554 5.3.2 Message not accepted: no message handler");
                assertThat(c.command("RSET").code()).isEqualTo(250);
                assertThat(c.command("QUIT").code()).isEqualTo(221);
              }
              assertThat(tasks).hasValue(1);
            });
  }

  @Test
  void everyEventWithAListenerIsHandled() {
    runner
        .withBean(Notified.class)
        .withBean(Parameters.class)
        .withBean(Streaming.class)
        .run(
            context ->
                assertThat(context.getBean(SmtpHandler.class).handledEvents())
                    .containsExactlyInAnyOrder(
                        SmtpHandler.Event.CONNECT,
                        SmtpHandler.Event.GREETING,
                        SmtpHandler.Event.MAIL_FROM,
                        SmtpHandler.Event.RCPT_TO,
                        SmtpHandler.Event.DATA,
                        SmtpHandler.Event.MESSAGE,
                        SmtpHandler.Event.RESET,
                        SmtpHandler.Event.QUIT));
  }

  @Test
  void resetAndQuitListenersAreNotified() {
    runner
        .withBean(Notified.class)
        .run(
            context -> {
              Notified n = context.getBean(Notified.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.command("RSET").code()).isEqualTo(250);
                assertThat(c.command("QUIT").code()).isEqualTo(221);
              }
              assertThat(n.seen.poll(5, TimeUnit.SECONDS)).startsWith("CONNECT ");
              assertThat(n.seen.poll(5, TimeUnit.SECONDS)).isEqualTo("RESET");
              assertThat(n.seen.poll(5, TimeUnit.SECONDS)).isEqualTo("QUIT");
            });
  }

  @Test
  void rejectedConnectionGetsTheListenersReplyInsteadOfTheGreeting() {
    runner
        .withBean(Notified.class)
        .withPropertyValues("test.refuse=true")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                assertThat(c.reply().toString()).isEqualTo("554 5.7.1 Connection rejected");
                assertThat(c.closedByServer()).isTrue();
              }
            });
  }

  // ------------------------------------------------------------------ listener beans

  /** Runs the handler's tasks on one thread of its own and counts them. */
  @Configuration(proxyBeanMethods = false)
  static class CountingExecutor implements Executor, DisposableBean {
    final AtomicInteger tasks = new AtomicInteger();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @Override
    public void execute(Runnable task) {
      tasks.incrementAndGet();
      pool.execute(task);
    }

    @Override
    public void destroy() {
      pool.shutdownNow();
    }

    @Bean
    SmtpServerCustomizer countingExecutor() {
      return builder -> builder.handlerExecutor(this);
    }
  }

  static class Recipients {
    @SmtpListener(SmtpEvent.RCPT_TO)
    boolean recipient(Mailbox to) {
      return to.domainLowerCase().equals("example.com");
    }
  }

  static class Senders {
    @SmtpListener(SmtpEvent.MAIL_FROM)
    Decision sender(String address) {
      return address.endsWith("@spam.test")
          ? Decision.reject(550, "5.7.1", "Go away")
          : Decision.accept(Reply.of(250, "2.1.0", "Welcome " + address));
    }
  }

  static class Throwing {
    @SmtpListener(SmtpEvent.RCPT_TO)
    void recipient(Mailbox to) {
      if (to.localPart().equals("full")) {
        throw new SmtpRejectException(452, "4.2.2", "Mailbox full");
      }
      if (to.localPart().equals("broken")) {
        throw new IllegalStateException("database is down");
      }
    }
  }

  static class Async {
    @SmtpListener(SmtpEvent.RCPT_TO)
    CompletionStage<Decision> recipient(String address) {
      return CompletableFuture.supplyAsync(
          () ->
              address.startsWith("later")
                  ? Decision.accept(Reply.of(251, "2.1.5", "Will forward"))
                  : Decision.reject());
    }

    @SmtpListener(SmtpEvent.DATA)
    void data(Envelope envelope) {}
  }

  static class Ordered {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @SmtpListener(SmtpEvent.RCPT_TO)
    @Order(3)
    void third() {
      calls.add("third");
    }

    @SmtpListener(SmtpEvent.RCPT_TO)
    @Order(1)
    Decision first() {
      calls.add("first");
      return Decision.accept(Reply.of(250, "2.1.5", "first says yes"));
    }

    @SmtpListener(SmtpEvent.RCPT_TO)
    @Order(2)
    CompletionStage<Boolean> second(Mailbox to) {
      calls.add("second");
      return to.localPart().equals("no")
          ? CompletableFuture.failedFuture(new SmtpRejectException(550, "5.1.1", "second says no"))
          : CompletableFuture.completedFuture(true);
    }
  }

  static class Parameters {
    final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.GREETING)
    void greeting(Command.Hello hello, String domain, SessionInfo session) {
      seen.add("GREETING " + hello.verb() + " " + hello.domain() + " " + domain);
    }

    @SmtpListener(SmtpEvent.MAIL_FROM)
    void mailFrom(ReversePath from, Mailbox mailbox, String address, MailParameters parameters) {
      seen.add(
          "MAIL_FROM "
              + from
              + " "
              + mailbox
              + " "
              + address
              + " "
              + parameters.value("SIZE").map(v -> "SIZE=" + v).orElse(""));
    }

    @SmtpListener(SmtpEvent.RCPT_TO)
    void rcptTo(Mailbox to, String address, ReversePath from, Envelope envelope) {
      seen.add("RCPT_TO " + to + " " + address + " " + from + " " + envelope.recipients().size());
    }

    @SmtpListener(SmtpEvent.DATA)
    void data(ReversePath from, Envelope envelope) {
      seen.add("DATA " + from + " " + envelope.recipients().size());
    }
  }

  static class PerRecipient {
    @SmtpListener(SmtpEvent.MESSAGE)
    List<Decision> deliver(Envelope envelope, InputStream body) throws IOException {
      body.readAllBytes();
      return envelope.mailboxes().stream()
          .map(
              m ->
                  m.localPart().equals("full")
                      ? Decision.reject(452, "4.2.2 Mailbox full")
                      : Decision.accept())
          .toList();
    }
  }

  static class Streaming {
    final List<String> bodies = new CopyOnWriteArrayList<>();

    @SmtpListener(SmtpEvent.MESSAGE)
    void message(Envelope envelope, InputStream body) throws IOException {
      bodies.add(new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static class Buffered {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @SmtpListener(SmtpEvent.MESSAGE)
    @Order(1)
    boolean bytes(byte[] body) {
      seen.add("bytes " + body.length);
      return true;
    }

    @SmtpListener(SmtpEvent.MESSAGE)
    @Order(2)
    void mime(MimeMessage message) throws Exception {
      seen.add("mime " + message.getSubject());
    }
  }

  static class Notified {
    final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

    @Value("${test.refuse:false}")
    boolean refuse;

    @SmtpListener(SmtpEvent.CONNECT)
    boolean connect(SessionInfo session) {
      seen.add("CONNECT " + session.id());
      return !refuse;
    }

    @SmtpListener(SmtpEvent.RESET)
    void reset() {
      seen.add("RESET");
    }

    @SmtpListener(SmtpEvent.QUIT)
    void quit(SessionInfo session) {
      seen.add("QUIT");
    }
  }
}
