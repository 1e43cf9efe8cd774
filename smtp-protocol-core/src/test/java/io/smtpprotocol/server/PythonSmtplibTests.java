package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server driven by Python's {@code smtplib}, run as a separate process. */
class PythonSmtplibTests {

  private static final long SIZE_LIMIT = 4096;

  @TempDir Path dir;

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private SmtpServer server;
  private Path script;

  @BeforeEach
  void requirePython() throws IOException {
    Requirements.tool("python3");
    script = ClientProcess.resource(dir, "smtplib_client.py");
  }

  @Test
  void smtplibSeesEveryAdvertisedExtension() throws Exception {
    start(Limits.DEFAULTS.withMaxMessageSize(SIZE_LIMIT));
    ClientProcess.Result run = python("--mode", "ehlo");

    assertThat(linesStartingWith(run, "feature "))
        .as(run.describe())
        .contains(
            "feature pipelining ",
            "feature size " + SIZE_LIMIT,
            "feature 8bitmime ",
            "feature enhancedstatuscodes ",
            "feature smtputf8 ",
            "feature chunking ");
  }

  @Test
  void sendmailDeliversTheDotUnstuffedBodyAndEnvelope() throws Exception {
    start(Limits.DEFAULTS);
    byte[] body =
        ("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run =
        python(
            "--mode",
            "sendmail",
            "--from",
            "alice@example.com",
            "--to",
            "bob@example.net",
            "--to",
            "carol@example.org",
            "--body-file",
            write("body.eml", body));

    assertThat(run.lines()).as(run.describe()).contains("result ok");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.body()).isEqualTo(body);
    assertThat(m.envelope().from().address()).isEqualTo("alice@example.com");
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("bob@example.net", "carol@example.org");
    assertThat(m.envelope().declaredSize()).isEqualTo(body.length);
    assertThat(m.session().hello()).isEqualTo(new Command.Ehlo("client.test"));
  }

  @Test
  void auxiliaryCommandsGetTheirReplies() throws Exception {
    start(Limits.DEFAULTS);

    ClientProcess.Result run = python("--mode", "commands");

    assertThat(linesStartingWith(run, "reply "))
        .as(run.describe())
        .containsExactly(
            "reply noop 250 2.0.0 Ok",
            "reply rset 250 2.0.0 Ok",
            "reply vrfy 252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery",
            "reply expn 502 5.5.1 EXPN not implemented",
            "reply help 214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY"
                + " HELP");
  }

  @Test
  void largeBodyFullOfDotLinesArrivesIntact() throws Exception {
    start(Limits.DEFAULTS);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("Subject: many dots\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; out.size() < 3 * 1024 * 1024; i++) {
      String line = ".".repeat(i % 3) + "line " + i + " " + "x".repeat(i % 97) + "\r\n";
      out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
    }
    byte[] body = out.toByteArray();

    ClientProcess.Result run = send("sendmail", body);

    assertThat(run.lines()).as(run.describe()).contains("result ok");
    byte[] received = handler.takeMessage().body();
    assertThat(received.length).isEqualTo(body.length);
    assertThat(received).isEqualTo(body);
  }

  @Test
  void eightBitBodyArrivesByteForByte() throws Exception {
    start(Limits.DEFAULTS);
    // ISO-8859-1 turns each char into the byte of the same value: UTF-8 "é" and bytes that are
    // no text at all
    byte[] body =
        "Subject: 8\r\n\r\ncaf\u00c3\u00a9 \u00e9\u00ff\u0080\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);

    ClientProcess.Result run = send("sendmail", body, "--mail-option", "BODY=8BITMIME");

    assertThat(run.lines()).as(run.describe()).contains("result ok");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.body()).isEqualTo(body);
    assertThat(m.envelope().parameters().value("BODY")).contains("8BITMIME");
  }

  @Test
  void bareLineFeedInTheBodyIsRefusedWith550AndNothingIsDelivered() throws Exception {
    start(Limits.DEFAULTS);
    // smtplib sends a bytes body as it is: the bare LF reaches the server
    byte[] body = "Subject: lf\r\n\r\nfirst\nsecond\r\n".getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run = send("sendmail", body);

    assertThat(run.lines())
        .as(run.describe())
        .contains("error SMTPDataError 550 5.6.0 Bare CR or LF in message content not allowed");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void lenientServerKeepsBareLineEndingsAsData() throws Exception {
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .ioThreads(1)
            .handler(handler)
            .lenientLineEndings(true)
            .build()
            .start();
    // smtplib stuffs the dot after the bare LF too; only CRLF.CRLF may end the data
    byte[] body =
        "Subject: lf\r\n\r\nfirst\nsecond\rthird\r\n.\nnot the end\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run = send("sendmail", body);

    assertThat(run.lines()).as(run.describe()).contains("result ok");
    assertThat(handler.takeMessage().body()).isEqualTo(body);
  }

  @Test
  void sendMessageWithUtf8AddressesUsesSmtpUtf8() throws Exception {
    start(Limits.DEFAULTS);
    ClientProcess.Result run =
        python(
            "--mode",
            "send_message",
            "--from",
            "用户@例子.测试",
            "--to",
            "zoë@bücher.example",
            "--subject",
            "grüße",
            "--content",
            "Übermorgen.");

    assertThat(run.lines()).as(run.describe()).contains("result ok");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().smtpUtf8()).isTrue();
    assertThat(m.envelope().parameters().value("BODY")).contains("8BITMIME");
    assertThat(m.envelope().from().address()).isEqualTo("用户@例子.测试");
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("zoë@bücher.example");
    assertThat(m.text())
        .contains(
            "From: 用户@例子.测试\r\n",
            "To: zoë@bücher.example\r\n",
            "Subject: grüße\r\n",
            "Übermorgen.\r\n");
  }

  @Test
  void refusedRecipientIsReportedAndTheOthersGetTheMessage() throws Exception {
    start(Limits.DEFAULTS);
    handler.recipientFilter = to -> !to.localPart().equals("nobody");
    byte[] body = "Subject: partial\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run =
        send("sendmail", body, "--to", "nobody@example.com", "--to", "c@example.com");

    assertThat(run.lines())
        .as(run.describe())
        .contains("refused nobody@example.com 550 5.1.1 Recipient rejected", "result ok");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("b@example.com", "c@example.com");
    assertThat(m.body()).isEqualTo(body);
  }

  @Test
  void everyRecipientRefusedDeliversNothing() throws Exception {
    start(Limits.DEFAULTS);
    handler.recipientFilter = to -> false;

    ClientProcess.Result run =
        send("sendmail", "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(run.lines())
        .as(run.describe())
        .contains(
            "refused b@example.com 550 5.1.1 Recipient rejected",
            "error SMTPRecipientsRefused 0 all recipients refused");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMailFromWith552() throws Exception {
    start(Limits.DEFAULTS.withMaxMessageSize(SIZE_LIMIT));
    byte[] body =
        ("Subject: big\r\n\r\n" + "x".repeat(78) + "\r\n")
            .repeat(60)
            .getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run = send("sendmail", body);

    assertThat(run.lines())
        .as(run.describe())
        .contains(
            "error SMTPSenderRefused 552 5.3.4 Message size exceeds fixed maximum message size");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void pipelinedBdatChunksArriveVerbatimEndingWithAnEmptyLastChunk() throws Exception {
    start(Limits.DEFAULTS);
    // BDAT carries octets as they are: no dot-stuffing, so the leading dots must stay.
    byte[] body =
        "Subject: chunks\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n".getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run = send("bdat", body, "--chunk-size", "7", "--empty-last");

    List<String> replies = linesStartingWith(run, "reply ");
    int chunks = (body.length + 6) / 7 + 1;
    assertThat(replies)
        .as(run.describe())
        .hasSize(2 + chunks)
        .allMatch(r -> r.startsWith("reply 250 "));
    assertThat(run.lines()).contains("result ok");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.body()).isEqualTo(body);
  }

  @Test
  void bdatBeyondTheSizeLimitIsRefusedWith552AndNothingIsDelivered() throws Exception {
    start(Limits.DEFAULTS.withMaxMessageSize(SIZE_LIMIT));
    byte[] body = "x".repeat((int) SIZE_LIMIT + 100).getBytes(StandardCharsets.US_ASCII);

    ClientProcess.Result run = send("bdat", body, "--chunk-size", "1000");

    List<String> replies = linesStartingWith(run, "reply ");
    assertThat(replies).as(run.describe()).hasSize(2 + 5);
    assertThat(replies.subList(0, 2)).allMatch(r -> r.startsWith("reply 250 "));
    assertThat(replies.subList(2, 6)).allMatch(r -> r.startsWith("reply 250 "));
    assertThat(replies.get(6)).startsWith("reply 552 5.3.4 ");
    assertThat(handler.messages).isEmpty();
  }

  private void start(Limits limits) {
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .ioThreads(1)
            .handler(handler)
            .limits(limits)
            .build()
            .start();
  }

  /**
   * Runs the client in {@code mode} from a@example.com to b@example.com with {@code options}, then
   * {@code body} as the message.
   */
  private ClientProcess.Result send(String mode, byte[] body, String... options)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of("--mode", mode, "--from", "a@example.com", "--to", "b@example.com"));
    args.addAll(List.of(options));
    args.addAll(List.of("--body-file", write("body.eml", body)));
    return python(args.toArray(String[]::new));
  }

  private ClientProcess.Result python(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of("python3", script.toString(), "--port", String.valueOf(server.port())));
    command.addAll(List.of(args));
    ClientProcess.Result run = ClientProcess.run(dir, command);
    assertThat(run.exitCode()).as(run.describe()).isZero();
    return run;
  }

  private String write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content).toString();
  }

  private static List<String> linesStartingWith(ClientProcess.Result run, String prefix) {
    return run.lines().stream().filter(l -> l.startsWith(prefix)).toList();
  }
}
