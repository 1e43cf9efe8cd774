package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.testing.Requirements;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server driven by swaks, run as a separate process. Swaks writes a transcript: {@code ->} for
 * what it sent, {@code <-} for replies it expected and {@code <**} for replies it did not.
 *
 * <p>The packaged swaks (20201014) has no BDAT and cannot ask for SMTPUTF8, so those are covered by
 * the smtplib and Jakarta Mail tests.
 */
class SwaksTests {

  private static final Pattern EHLO_LINE = Pattern.compile("^<- {1,2}250[- ](.*)$");

  @TempDir Path dir;

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private SmtpServer server;

  @BeforeEach
  void requireSwaks() {
    Requirements.tool("swaks");
  }

  @Test
  void ehloSeenBySwaksListsEveryExtension() throws Exception {
    start(Limits.DEFAULTS);

    ClientProcess.Result run = swaks("--quit-after", "EHLO");

    assertThat(run.exitCode()).as(run.describe()).isZero();
    List<String> keywords = new ArrayList<>();
    for (String line : run.lines()) {
      Matcher m = EHLO_LINE.matcher(line);
      if (m.matches()) {
        keywords.add(m.group(1));
      }
    }
    assertThat(keywords)
        .as(run.describe())
        .containsExactly(
            "mx.test",
            "PIPELINING",
            "SIZE 10485760",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
            "CHUNKING",
            "LIMITS RCPTMAX=100");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void swaksDeliversTheDotUnstuffedBodyAndEnvelope() throws Exception {
    start(Limits.DEFAULTS);
    // Swaks ends the data with CRLF itself and stuffs every line that starts with a dot.
    String data = "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line";

    ClientProcess.Result run =
        swaks("--from", "alice@example.com", "--to", "bob@example.net", "--data", file(data));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.lines())
        .as(run.describe())
        .containsSubsequence(
            " -> ..leading dot", " -> ...two dots", " -> ..", " -> last line", " -> .");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text()).isEqualTo(data + "\r\n");
    assertThat(m.envelope().from().address()).isEqualTo("alice@example.com");
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("bob@example.net");
  }

  @Test
  void pipelinedTransactionReportsTheRefusedRecipientAndDeliversToTheOthers() throws Exception {
    start(Limits.DEFAULTS);
    handler.recipientFilter = to -> !to.localPart().equals("nobody");

    ClientProcess.Result run =
        swaks(
            "--pipeline",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com,nobody@example.com,c@example.com",
            "--data",
            file("Subject: partial\r\n\r\nhello"));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.lines())
        .as(run.describe())
        .contains("<** 550 5.1.1 Recipient rejected", "<-  354 End data with <CR><LF>.<CR><LF>")
        .anyMatch(l -> l.startsWith("<-  250 2.0.0 Ok: message accepted"));
    // swaks sent MAIL, every RCPT and DATA in one go before reading a reply
    assertThat(run.lines())
        .containsSubsequence(
            " -> MAIL FROM:<a@example.com>",
            " -> RCPT TO:<b@example.com>",
            " -> RCPT TO:<nobody@example.com>",
            " -> RCPT TO:<c@example.com>",
            " -> DATA",
            "<-  250 2.1.0 Sender ok");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("b@example.com", "c@example.com");
    assertThat(m.text()).isEqualTo("Subject: partial\r\n\r\nhello\r\n");
  }

  @Test
  void pipelinedTransactionWithEveryRecipientRefusedNeverSendsTheBody() throws Exception {
    start(Limits.DEFAULTS);
    handler.recipientFilter = to -> false;

    ClientProcess.Result run =
        swaks(
            "--pipeline",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com,c@example.com",
            "--data",
            file("Subject: nobody\r\n\r\nhello"));

    // 24: no recipient accepted
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(24);
    assertThat(run.lines())
        .as(run.describe())
        .containsSubsequence(
            " -> DATA",
            "<-  250 2.1.0 Sender ok",
            "<** 550 5.1.1 Recipient rejected",
            "<** 550 5.1.1 Recipient rejected",
            "<** 503 5.5.1 Need RCPT command",
            " -> QUIT",
            "<-  221 2.0.0 Bye")
        .doesNotContain(" -> hello");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void heloClientDeliversWithoutExtensions() throws Exception {
    start(Limits.DEFAULTS);

    ClientProcess.Result run =
        swaks(
            "--protocol",
            "SMTP",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com",
            "--data",
            file("Subject: plain\r\n\r\nno extensions"));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.lines()).as(run.describe()).contains(" -> HELO client.test", "<-  250 mx.test");
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.session().hello()).isEqualTo(new Command.Helo("client.test"));
    assertThat(m.text()).isEqualTo("Subject: plain\r\n\r\nno extensions\r\n");
  }

  @Test
  void eightBitBodyArrivesByteForByte() throws Exception {
    start(Limits.DEFAULTS);
    // ISO-8859-1 turns each char into the byte of the same value: UTF-8 "é" and bytes that are
    // no text at all
    byte[] data =
        "Subject: 8\r\n\r\ncaf\u00c3\u00a9 \u00e9\u00ff\u0080"
            .getBytes(StandardCharsets.ISO_8859_1);

    ClientProcess.Result run =
        swaks("--from", "a@example.com", "--to", "b@example.com", "--data", file(data));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    byte[] expected = new byte[data.length + 2];
    System.arraycopy(data, 0, expected, 0, data.length);
    expected[data.length] = '\r';
    expected[data.length + 1] = '\n';
    assertThat(handler.takeMessage().body()).isEqualTo(expected);
  }

  @Test
  void messageOverTheSizeLimitIsRefusedWith552AfterTheDot() throws Exception {
    start(Limits.DEFAULTS.withMaxMessageSize(2048));
    String data = "Subject: big\r\n\r\n" + ("x".repeat(98) + "\r\n").repeat(40) + "end";

    ClientProcess.Result run =
        swaks("--from", "a@example.com", "--to", "b@example.com", "--data", file(data));

    // 26: the server did not accept the mail after the data
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(26);
    assertThat(run.lines())
        .as(run.describe())
        .contains("<** 552 5.3.4 Message size exceeds fixed maximum message size");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void utf8SenderWithoutSmtpUtf8IsRefusedWith553() throws Exception {
    start(Limits.DEFAULTS);

    ClientProcess.Result run =
        swaks("--from", "用户@例子.测试", "--to", "b@example.com", "--data", file("Subject: x\r\n\r\nx"));

    // 23: error in the MAIL transaction
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(23);
    assertThat(run.lines())
        .as(run.describe())
        .contains("<** 553 5.6.7 Non-ASCII address requires SMTPUTF8");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void swaksDeliversOverAUnixDomainSocket() throws Exception {
    Requirements.require(Epoll.isAvailable(), "the native epoll transport");
    Path socket = dir.resolve("smtp.sock");
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .unixSocket(socket)
            .ioThreads(1)
            .handler(handler)
            .build()
            .start();

    ClientProcess.Result run =
        ClientProcess.run(
            dir,
            List.of(
                "swaks",
                "--socket",
                socket.toString(),
                "--ehlo",
                "client.test",
                "--timeout",
                "10",
                "--from",
                "a@example.com",
                "--to",
                "b@example.com",
                "--data",
                file("Subject: unix\r\n\r\nover a domain socket")));

    assertThat(run.exitCode()).as(run.describe()).isZero();
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text()).isEqualTo("Subject: unix\r\n\r\nover a domain socket\r\n");
    assertThat(m.session().remoteInetAddress()).isEmpty();
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

  private ClientProcess.Result swaks(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1",
                "--port",
                String.valueOf(server.port()),
                "--ehlo",
                "client.test",
                "--timeout",
                "10"));
    command.addAll(List.of(args));
    return ClientProcess.run(dir, command);
  }

  /** Writes the message data to a file and returns the {@code --data} argument that reads it. */
  private String file(String data) throws IOException {
    return file(data.getBytes(StandardCharsets.UTF_8));
  }

  private String file(byte[] data) throws IOException {
    return "@" + Files.write(Files.createTempFile(dir, "data", ".eml"), data);
  }
}
