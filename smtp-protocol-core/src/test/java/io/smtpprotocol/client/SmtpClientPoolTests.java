package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmtpClientPoolTests {

  private static final MailEnvelope ENVELOPE = MailEnvelope.of("a@example.com", "b@example.org");

  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final Closer closing = new Closer();
  private final SmtpClient client = Servers.client().build();

  @AfterEach
  void close() throws Exception {
    closing.close();
    client.close();
  }

  private SmtpServer start(io.smtpprotocol.handler.SmtpHandler handler, Limits limits) {
    SmtpServer server =
        Servers.builder(handler)
            .limits(limits)
            .observer(
                new SmtpServerObserver() {
                  @Override
                  public void connectionOpened(ConnectionOutcome outcome) {
                    connections.incrementAndGet();
                  }

                  @Override
                  public void command(String verb, int replyCode) {
                    if (verb.equals("RSET")) {
                      resets.incrementAndGet();
                    }
                  }
                })
            .build()
            .start();
    closing.add(server);
    return server;
  }

  private SmtpClientPool pool(SmtpClientPool.Builder builder) {
    SmtpClientPool pool = builder.build();
    closing.add(pool);
    return pool;
  }

  @Test
  void connectionIsReusedWithRsetBetweenMessages() throws Exception {
    Inbox inbox = new Inbox();
    SmtpServer server = start(inbox, Limits.DEFAULTS);
    SmtpClientPool pool =
        pool(SmtpClientPool.builder(client, "127.0.0.1", server.port()).maxConnections(1));

    for (int i = 0; i < 5; i++) {
      assertThat(join(pool.send(ENVELOPE, MessageContent.of("m" + i))).message().code())
          .isEqualTo(250);
      assertThat(inbox.take().text()).isEqualTo("m" + i + "\r\n");
    }

    assertThat(connections).hasValue(1);
    assertThat(resets).hasValue(4);
    assertThat(pool.idleConnections()).isEqualTo(1);
  }

  @Test
  void connectionIsReplacedAfterItsMessageAllowance() {
    SmtpServer server = start(new Inbox(), Limits.DEFAULTS);
    SmtpClientPool pool =
        pool(
            SmtpClientPool.builder(client, "127.0.0.1", server.port())
                .maxConnections(1)
                .maxMessagesPerConnection(2));
    for (int i = 0; i < 5; i++) {
      join(pool.send(ENVELOPE, MessageContent.of("m")));
    }
    assertThat(connections).hasValue(3);
  }

  @Test
  void connectionsTheServerClosedAreReplaced() {
    SmtpServer server = start(new Inbox(), Limits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300)));
    SmtpClientPool pool =
        pool(SmtpClientPool.builder(client, "127.0.0.1", server.port()).maxConnections(1));
    join(pool.send(ENVELOPE, MessageContent.of("first")));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);

    assertThat(join(pool.send(ENVELOPE, MessageContent.of("second"))).message().code())
        .isEqualTo(250);
    assertThat(connections).hasValue(2);
  }

  @Test
  void idleConnectionsAreClosed() {
    SmtpServer server = start(new Inbox(), Limits.DEFAULTS);
    SmtpClientPool pool =
        pool(
            SmtpClientPool.builder(client, "127.0.0.1", server.port())
                .idleTimeout(Duration.ofMillis(200)));
    join(pool.send(ENVELOPE, MessageContent.of("m")));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.openConnections() == 0);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
  }

  @Test
  void busyPoolMakesSendsWaitThenFailsClearly() throws Exception {
    CompletableFuture<Decision> gate = new CompletableFuture<>();
    io.smtpprotocol.handler.SmtpHandler slow =
        new io.smtpprotocol.handler.SmtpHandler() {
          @Override
          public CompletionStage<Decision> message(
              SessionInfo session, Envelope envelope, MessageBody body) {
            try {
              body.readAllBytes();
            } catch (java.io.IOException e) {
              return Decision.reject(451, "4.3.0", "x").asStage();
            }
            return gate;
          }
        };
    SmtpServer server = start(slow, Limits.DEFAULTS);
    SmtpClientPool pool =
        pool(
            SmtpClientPool.builder(client, "127.0.0.1", server.port())
                .maxConnections(1)
                .maxWaiting(1)
                .acquireTimeout(Duration.ofMillis(300)));

    CompletionStage<SendResult> first = pool.send(ENVELOPE, MessageContent.of("1"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> pool.busyConnections() == 1 && pool.openConnections() == 1);
    CompletionStage<SendResult> waits = pool.send(ENVELOPE, MessageContent.of("2"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.waitingSends() == 1);

    // the wait queue is full: the next send fails at once
    assertThatThrownBy(() -> join(pool.send(ENVELOPE, MessageContent.of("3"))))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("are busy");
    // the waiting one gives up after the acquire timeout
    assertThatThrownBy(() -> join(waits))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("became free within");

    gate.complete(Decision.accept());
    assertThat(join(first).message().code()).isEqualTo(250);
    assertThat(join(pool.send(ENVELOPE, MessageContent.of("4"))).message().code()).isEqualTo(250);
    assertThat(connections).hasValue(1);
  }
}
