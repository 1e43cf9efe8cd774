package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.smtpprotocol.protocol.Extensions;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;
import io.smtpprotocol.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against our own server, in process, over loopback TCP. */
class SmtpClientTests {

  private final Inbox inbox = new Inbox();
  @AutoClose private final Closer closing = new Closer();

  private SmtpServer start(SmtpServerBuilder builder) {
    SmtpServer server = builder.build().start();
    closing.add(server);
    return server;
  }

  private SmtpClient client(SmtpClient.Builder builder) {
    SmtpClient client = builder.build();
    closing.add(client);
    return client;
  }

  private SmtpConnection connect(SmtpServer server) {
    return join(client(Servers.client()).connect("127.0.0.1", server.port()));
  }

  @Test
  void greetingAndExtensionsAreOnTheConnection() {
    SmtpServer server = start(Servers.builder(inbox).chunking(true));
    SmtpConnection c = connect(server);
    assertThat(c.greeting().code()).isEqualTo(220);
    assertThat(c.greeting().text()).contains("mx.test");

    Reply ehlo = join(c.ehlo("client.test"));
    Extensions ext = c.extensions();
    assertThat(ehlo.code()).isEqualTo(250);
    assertThat(ext.domain()).isEqualTo("mx.test");
    assertThat(ext.pipelining()).isTrue();
    assertThat(ext.chunking()).isTrue();
    assertThat(ext.enhancedStatusCodes()).isTrue();
    assertThat(ext.eightBitMime()).isTrue();
    assertThat(ext.maxSize()).isPresent();
  }

  @Test
  void sendDeliversEnvelopeAndContentWithDotsAndLineEndingsFixed() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = connect(server);

    SendResult result =
        join(
            c.send(
                MailEnvelope.of("alice@example.com", "bob@example.org", "carol@example.org"),
                MessageContent.of("Subject: dots\n\n.leading dot\r\n..two\rbare CR\nend")));

    assertThat(result.accepted())
        .extracting(Mailbox::address)
        .containsExactly("bob@example.org", "carol@example.org");
    assertThat(result.message().code()).isEqualTo(250);
    Inbox.Received received = inbox.take();
    assertThat(received.envelope().from().address()).isEqualTo("alice@example.com");
    assertThat(received.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("bob@example.org", "carol@example.org");
    assertThat(received.text())
        .isEqualTo("Subject: dots\r\n\r\n.leading dot\r\n..two\r\nbare CR\r\nend\r\n");
    assertThat(received.envelope().parameters().size()).isPresent();
    join(c.quit());
  }

  @Test
  void refusedRecipientsAreInTheResultNotAFailure() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = connect(server);

    SendResult result =
        join(
            c.send(
                MailEnvelope.of("a@example.com", "x@refused.test", "b@example.org"),
                MessageContent.of("Hi\r\n")));

    assertThat(result.accepted()).extracting(Mailbox::address).containsExactly("b@example.org");
    assertThat(result.refused())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.recipient().address()).isEqualTo("x@refused.test");
              assertThat(r.reply().code()).isEqualTo(550);
              assertThat(r.reply().status()).hasToString("5.1.1");
            });
    assertThat(inbox.take().envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("b@example.org");
  }

  @Test
  void noAcceptedRecipientFailsWithTheRcptReplyAndTheConnectionStaysUsable() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = connect(server);

    assertThatThrownBy(
            () ->
                join(
                    c.send(
                        MailEnvelope.of("a@example.com", "x@refused.test"),
                        MessageContent.of("x"))))
        .isInstanceOfSatisfying(
            SmtpReplyException.class,
            e -> {
              assertThat(e.command()).isEqualTo("RCPT");
              assertThat(e.reply().code()).isEqualTo(550);
              assertThat(e.isTransient()).isFalse();
              assertThat(e.isLocal()).isFalse();
            });

    SendResult second =
        join(
            c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of("second")));
    assertThat(second.message().code()).isEqualTo(250);
    assertThat(inbox.take().text()).isEqualTo("second\r\n");
    assertThat(c.messagesSent()).isEqualTo(1);
  }

  @Test
  void sequentialTransactionWhenTheServerDoesNotPipeline() throws Exception {
    SmtpServer server = start(Servers.builder(inbox).pipelining(false));
    SmtpConnection c = connect(server);

    SendResult result =
        join(
            c.send(
                MailEnvelope.of("a@example.com", "x@refused.test", "b@example.org"),
                MessageContent.of("seq")));

    assertThat(c.extensions().pipelining()).isFalse();
    assertThat(result.accepted()).extracting(Mailbox::address).containsExactly("b@example.org");
    assertThat(inbox.take().text()).isEqualTo("seq\r\n");
  }

  @Test
  void pipelinedEnvelopeGoesOutInOneFlush() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    FlushCounter counter = new FlushCounter();
    Channel channel = counter.connect(server.port(), closing);
    SmtpConnection c = join(client(Servers.client()).connect(channel));
    join(c.prepare());

    counter.lines.clear();
    join(
        c.send(
            MailEnvelope.of("a@example.com", "b@example.org", "c@example.org", "d@example.org"),
            MessageContent.of("x")));

    // MAIL, three RCPT and DATA in one flush; then the content with its dot
    assertThat(counter.lines.get(0))
        .isEqualTo(
            "MAIL FROM:<a@example.com> SIZE=1\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\n"
                + "RCPT TO:<d@example.org>\r\nDATA\r\n");
    assertThat(String.join("", counter.lines.subList(1, counter.lines.size())))
        .isEqualTo("x\r\n.\r\n");
    assertThat(inbox.take().text()).isEqualTo("x\r\n");
  }

  @Test
  void commandsIssuedWithoutWaitingGetTheirOwnRepliesInOrder() {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = connect(server);
    join(c.ehlo("client.test"));

    CompletionStage<Reply> mail = c.mailFrom(ReversePath.of(Mailbox.parse("a@example.com")));
    CompletionStage<Reply> refused = c.rcptTo(Mailbox.parse("x@refused.test"));
    CompletionStage<Reply> accepted = c.rcptTo(Mailbox.parse("b@example.org"));
    CompletionStage<Reply> data = c.data();
    CompletionStage<Reply> message =
        c.message("Subject: t\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
    CompletionStage<Reply> noop = c.noop();

    assertThat(join(mail).code()).isEqualTo(250);
    assertThatThrownBy(() -> join(refused))
        .isInstanceOfSatisfying(
            SmtpReplyException.class, e -> assertThat(e.reply().code()).isEqualTo(550));
    assertThat(join(accepted).code()).isEqualTo(250);
    assertThat(join(data).code()).isEqualTo(354);
    assertThat(join(message).code()).isEqualTo(250);
    assertThat(join(noop).code()).isEqualTo(250);
  }

  @Test
  void messageFromAPathAndFromAStream(@TempDir Path dir) throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = connect(server);
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      big.append(i % 7 == 0 ? "." : "")
          .append("line ")
          .append(i)
          .append(i % 3 == 0 ? "\n" : "\r\n");
    }
    Path file = Files.writeString(dir.resolve("m.eml"), big);
    String expected = big.toString().replace("\r\n", "\n").replace("\n", "\r\n");

    join(c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of(file)));
    assertThat(inbox.take().text()).isEqualTo(expected);

    byte[] bytes = big.toString().getBytes(StandardCharsets.US_ASCII);
    join(
        c.send(
            MailEnvelope.of("a@example.com", "b@example.org"),
            MessageContent.of(
                new ByteArrayInputStream(bytes), bytes.length, MessageContent.Encoding.SEVEN_BIT)));
    assertThat(inbox.take().text()).isEqualTo(expected);
  }

  @Test
  void chunkingSendsBdatWhenChosen() throws Exception {
    SmtpServer server = start(Servers.builder(inbox).chunking(true));
    SmtpConnection c =
        join(client(Servers.client().chunking(true)).connect("127.0.0.1", server.port()));
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      big.append(".line ").append(i).append('\n');
    }

    join(
        c.send(
            MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of(big.toString())));

    // BDAT carries the content as is: dots are not stuffed, line endings are CRLF
    assertThat(inbox.take().text()).isEqualTo(big.toString().replace("\n", "\r\n"));
  }

  @Test
  void messageOverTheServersSizeIsRefusedLocally() {
    SmtpServer server =
        start(Servers.builder(inbox).limits(Limits.DEFAULTS.withMaxMessageSize(1000)));
    SmtpConnection c = connect(server);

    assertThatThrownBy(
            () ->
                join(
                    c.send(
                        MailEnvelope.of("a@example.com", "b@example.org"),
                        MessageContent.of(new byte[2000]))))
        .isInstanceOfSatisfying(
            SmtpReplyException.class,
            e -> {
              assertThat(e.isLocal()).isTrue();
              assertThat(e.reply().code()).isEqualTo(552);
            });
    assertThat(inbox.messages).isEmpty();
  }

  @Test
  void internationalAddressNeedsSmtpUtf8() throws Exception {
    SmtpServer without = start(Servers.builder(inbox).smtpUtf8(false));
    SmtpConnection c = connect(without);
    assertThatThrownBy(
            () ->
                join(
                    c.send(
                        MailEnvelope.of("a@example.com", "jürgen@example.org"),
                        MessageContent.of("x"))))
        .isInstanceOfSatisfying(
            SmtpReplyException.class,
            e -> {
              assertThat(e.isLocal()).isTrue();
              assertThat(e.reply().status()).hasToString("5.6.7");
            });

    SmtpServer with = start(Servers.builder(inbox));
    SmtpConnection c2 = connect(with);
    join(c2.send(MailEnvelope.of("a@example.com", "jürgen@example.org"), MessageContent.of("x")));
    Inbox.Received received = inbox.take();
    assertThat(received.envelope().parameters().has("SMTPUTF8")).isTrue();
    assertThat(received.envelope().mailboxes().get(0).localPart()).isEqualTo("jürgen");
  }

  @Test
  void eightBitContentDeclaresBody8BitMime() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = connect(server);
    join(c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of("Grüße\r\n")));
    assertThat(inbox.take().envelope().parameters().value("BODY")).contains("8BITMIME");
  }

  @Test
  void sendsIssuedTogetherOnOneConnectionShareTheGreetingAndGoInOrder() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    SmtpClient client =
        client(Servers.client().replyObserver((command, reply) -> seen.add(command)));
    SmtpConnection c = join(client.connect("127.0.0.1", server.port()));

    List<CompletionStage<SendResult>> sends = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sends.add(
          c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of("m" + i)));
    }
    for (CompletionStage<SendResult> s : sends) {
      assertThat(join(s).message().code()).isEqualTo(250);
    }

    assertThat(seen.stream().filter(v -> v.equals("EHLO"))).hasSize(1);
    assertThat(List.of(inbox.take().text(), inbox.take().text(), inbox.take().text()))
        .containsExactly("m0\r\n", "m1\r\n", "m2\r\n");
    assertThat(c.messagesSent()).isEqualTo(3);
  }

  @Test
  void replyObserverSeesEveryReplyWithWhatItAnswers() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    SmtpClient client =
        client(
            Servers.client()
                .replyObserver((command, reply) -> seen.add(command + " " + reply.code())));
    SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
    join(
        c.send(
            MailEnvelope.of("a@example.com", "b@example.org", "x@refused.test"),
            MessageContent.of("x")));
    join(c.quit());
    assertThat(seen)
        .containsExactly(
            "greeting 220",
            "EHLO 250",
            "MAIL 250",
            "RCPT 250",
            "RCPT 550",
            "DATA 354",
            "message 250",
            "QUIT 221");
  }

  @Test
  void unixDomainSocket(@TempDir Path dir) throws Exception {
    Requirements.require(
        io.netty.channel.epoll.Epoll.isAvailable(), "Netty's native epoll transport");
    Path socket = dir.resolve("smtp.sock");
    start(SmtpServer.builder().domain("mx.test").unixSocket(socket).handler(inbox));
    SmtpConnection c = join(client(Servers.client()).connect(socket));
    join(
        c.send(
            MailEnvelope.of("a@example.com", "b@example.org"),
            MessageContent.of("over a socket file")));
    assertThat(inbox.take().text()).isEqualTo("over a socket file\r\n");
  }
}
