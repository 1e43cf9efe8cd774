package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Mailbox;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server driven by Jakarta Mail (Angus Mail), in process but over a real socket. */
class JakartaMailClientTests {

  private static final long SIZE_LIMIT = 8192;

  private final RecordingHandler handler = new RecordingHandler();
  private final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
  private final AtomicInteger closedConnections = new AtomicInteger();
  @AutoClose private SmtpServer server;

  @BeforeEach
  void start() {
    SmtpServerObserver observer =
        new SmtpServerObserver() {
          @Override
          public void command(String verb, int replyCode) {
            commands.add(verb + " " + replyCode);
          }

          @Override
          public void connectionClosed() {
            closedConnections.incrementAndGet();
          }
        };
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .ioThreads(1)
            .handler(handler)
            .observer(observer)
            .limits(Limits.DEFAULTS.withMaxMessageSize(SIZE_LIMIT))
            .build()
            .start();
  }

  @Test
  void transportSendDeliversTheExactBytesAndEnvelope() throws Exception {
    Session session = session();
    MimeMessage msg =
        message(
            session,
            "alice@example.com",
            "Dots",
            ".leading dot\r\n..two dots\r\n.\r\nlast line\r\n",
            "bob@example.net",
            "carol@example.org");
    msg.setRecipients(Message.RecipientType.BCC, "dave@example.com");

    Transport.send(msg);

    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().from().address()).isEqualTo("alice@example.com");
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("bob@example.net", "carol@example.org", "dave@example.com");
    // Jakarta Mail writes the message once more the same way; Bcc never goes on the wire
    assertThat(m.text()).isEqualTo(wireForm(msg)).doesNotContain("dave@example.com");
    assertThat(m.text()).contains("\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line\r\n");
    MimeMessage parsed = new MimeMessage(session, new ByteArrayInputStream(m.body()));
    assertThat(parsed.getSubject()).isEqualTo("Dots");
    assertThat(parsed.getContent()).isEqualTo(".leading dot\r\n..two dots\r\n.\r\nlast line\r\n");
    assertThat(commands).contains("EHLO 250", "MAIL 250", "RCPT 250", "DATA 354", "QUIT 221");
  }

  @Test
  void eightBitMimeBodyIsSentUnencoded() throws Exception {
    Session session = session("mail.smtp.allow8bitmime", "true");
    MimeMessage msg =
        message(session, "a@example.com", "8bit", "Grüße aus Köln, café\r\n", "b@example.com");

    Transport.send(msg);

    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text())
        .contains("Content-Transfer-Encoding: 8bit\r\n")
        .endsWith("\r\n\r\nGrüße aus Köln, café\r\n");
    assertThat(m.text()).isEqualTo(wireForm(msg));
  }

  @Test
  void utf8AddressesAreSentWithSmtpUtf8() throws Exception {
    Session session = session("mail.mime.allowutf8", "true");
    MimeMessage msg =
        message(session, "用户@例子.测试", "grüße", "Übermorgen.\r\n", "zoë@bücher.example");

    Transport.send(msg);

    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().smtpUtf8()).isTrue();
    assertThat(m.envelope().from().address()).isEqualTo("用户@例子.测试");
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("zoë@bücher.example");
    assertThat(m.text()).contains("From: 用户@例子.测试\r\n", "To: zoë@bücher.example\r\n");
  }

  @Test
  void refusedRecipientFailsTheWholeSendByDefault() throws Exception {
    handler.recipientFilter = to -> !to.localPart().equals("nobody");
    MimeMessage msg =
        message(
            session(),
            "a@example.com",
            "all or nothing",
            "x\r\n",
            "b@example.com",
            "nobody@example.com",
            "c@example.com");

    SendFailedException e =
        catchThrowableOfType(SendFailedException.class, () -> Transport.send(msg));

    assertThat(addresses(e.getInvalidAddresses())).containsExactly("nobody@example.com");
    assertThat(addresses(e.getValidUnsentAddresses()))
        .containsExactly("b@example.com", "c@example.com");
    assertThat(addresses(e.getValidSentAddresses())).isEmpty();
    assertThat(e.getNextException()).hasMessageContaining("550 5.1.1 Recipient rejected");
    // Jakarta Mail resets the transaction instead of sending the data
    await().atMost(Duration.ofSeconds(5)).until(() -> commands.contains("QUIT 221"));
    assertThat(commands).contains("RSET 250").doesNotContain("DATA 354");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void sendPartialDeliversToTheAcceptedRecipients() throws Exception {
    handler.recipientFilter = to -> !to.localPart().equals("nobody");
    MimeMessage msg =
        message(
            session("mail.smtp.sendpartial", "true"),
            "a@example.com",
            "partial",
            "x\r\n",
            "b@example.com",
            "nobody@example.com",
            "c@example.com");

    SendFailedException e =
        catchThrowableOfType(SendFailedException.class, () -> Transport.send(msg));

    assertThat(addresses(e.getInvalidAddresses())).containsExactly("nobody@example.com");
    assertThat(addresses(e.getValidSentAddresses()))
        .containsExactly("b@example.com", "c@example.com");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("b@example.com", "c@example.com");
    assertThat(m.text()).isEqualTo(wireForm(msg));
  }

  @Test
  void messageOverTheSizeLimitFailsWith552() throws Exception {
    String text = ("x".repeat(76) + "\r\n").repeat((int) (SIZE_LIMIT / 78) + 10);
    MimeMessage msg = message(session(), "a@example.com", "big", text, "b@example.com");

    SendFailedException e =
        catchThrowableOfType(SendFailedException.class, () -> Transport.send(msg));

    assertThat(e).isInstanceOf(SMTPSendFailedException.class);
    assertThat(((SMTPSendFailedException) e).getReturnCode()).isEqualTo(552);
    assertThat(e).hasMessageContaining("5.3.4");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void chunkedSendUsesBdatAndDeliversTheExactBytes() throws Exception {
    // No line starts with a dot: Angus Mail 2.0.5 dot-stuffs BDAT chunks, which RFC 3030 forbids.
    Session session = session("mail.smtp.chunksize", "64");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      text.append("line ").append(i).append(" of a message sent in chunks\r\n");
    }
    MimeMessage msg =
        message(session, "a@example.com", "chunked", text.toString(), "b@example.com");

    Transport.send(msg);

    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text()).isEqualTo(wireForm(msg));
    long bdats = commands.stream().filter(c -> c.equals("BDAT 250")).count();
    assertThat(bdats).isEqualTo((m.body().length + 63) / 64 + (m.body().length % 64 == 0 ? 1 : 0));
    assertThat(commands).noneMatch(c -> c.startsWith("DATA"));
  }

  @Test
  void chunkedSendOverTheLimitFailsWith552() throws Exception {
    String text = ("x".repeat(76) + "\r\n").repeat((int) (SIZE_LIMIT / 78) + 10);
    MimeMessage msg =
        message(
            session("mail.smtp.chunksize", "1000"), "a@example.com", "big", text, "b@example.com");

    MessagingException e =
        catchThrowableOfType(MessagingException.class, () -> Transport.send(msg));

    assertThat(e.getCause())
        .hasMessageStartingWith("552 5.3.4 Message size exceeds fixed maximum message size");
    assertThat(commands).contains("BDAT 552").doesNotContain("DATA 354");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void heloOnlyClientAndNullReversePathDeliver() throws Exception {
    MimeMessage msg =
        message(
            session("mail.smtp.ehlo", "false", "mail.smtp.from", "<>"),
            "mailer-daemon@example.com",
            "bounce",
            "undeliverable\r\n",
            "b@example.com");

    Transport.send(msg);

    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().from().isNull()).isTrue();
    assertThat(m.session().hello()).isEqualTo(new Command.Helo("client.test"));
    assertThat(m.text()).isEqualTo(wireForm(msg));
    assertThat(commands).contains("HELO 250").noneMatch(c -> c.startsWith("EHLO"));
  }

  @Test
  void oneConnectionCarriesSeveralMessages() throws Exception {
    Session session = session("mail.smtp.userset", "true");
    try (Transport transport = session.getTransport("smtp")) {
      transport.connect();
      for (int i = 1; i <= 3; i++) {
        MimeMessage msg =
            message(
                session,
                "a@example.com",
                "message " + i,
                "body " + i + "\r\n",
                "b" + i + "@example.com");
        msg.saveChanges();
        transport.sendMessage(msg, msg.getAllRecipients());
        // with userset, isConnected() probes the connection with RSET
        assertThat(transport.isConnected()).isTrue();
      }
    }

    List<RecordingHandler.Received> received =
        List.of(handler.takeMessage(), handler.takeMessage(), handler.takeMessage());
    assertThat(received)
        .extracting(r -> r.envelope().mailboxes().get(0).address())
        .containsExactly("b1@example.com", "b2@example.com", "b3@example.com");
    assertThat(received)
        .extracting(r -> r.session().id())
        .containsOnly(received.get(0).session().id());
    assertThat(commands.stream().filter(c -> c.equals("RSET 250"))).hasSize(3);
    assertThat(commands.stream().filter(c -> c.startsWith("EHLO"))).hasSize(1);
  }

  @Test
  void quitWithoutWaitingForTheReplyEndsTheSessionCleanly() throws Exception {
    MimeMessage msg =
        message(
            session("mail.smtp.quitwait", "false"),
            "a@example.com",
            "bye",
            "x\r\n",
            "b@example.com");

    Transport.send(msg);

    assertThat(handler.takeMessage().text()).isEqualTo(wireForm(msg));
    await().atMost(Duration.ofSeconds(5)).until(() -> closedConnections.get() == 1);
    assertThat(server.activeSessions()).isZero();
    assertThat(commands).contains("QUIT 221");
  }

  private Session session(String... extra) {
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(server.port()));
    props.put("mail.smtp.localhost", "client.test");
    props.put("mail.smtp.connectiontimeout", "5000");
    props.put("mail.smtp.timeout", "5000");
    props.put("mail.smtp.writetimeout", "5000");
    for (int i = 0; i < extra.length; i += 2) {
      props.put(extra[i], extra[i + 1]);
    }
    return Session.getInstance(props);
  }

  private static MimeMessage message(
      Session session, String from, String subject, String text, String... to) throws Exception {
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom(new InternetAddress(from));
    for (String rcpt : to) {
      msg.addRecipient(Message.RecipientType.TO, new InternetAddress(rcpt));
    }
    msg.setSubject(subject, "UTF-8");
    msg.setText(text, "UTF-8");
    return msg;
  }

  /** The message as the SMTP transport writes it: without Bcc, ending with CRLF. */
  private static String wireForm(MimeMessage msg) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    msg.writeTo(out, new String[] {"Bcc", "Content-Length"});
    String text = out.toString(StandardCharsets.UTF_8);
    return text.endsWith("\r\n") ? text : text + "\r\n";
  }

  private static List<String> addresses(Address[] addresses) {
    return addresses == null
        ? List.of()
        : Arrays.stream(addresses).map(a -> ((InternetAddress) a).getAddress()).toList();
  }
}
