package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SMTP smuggling: a message carrying a line ending other than CRLF before a dot, followed by a
 * second transaction, must never let that second transaction run.
 */
@Timeout(20)
class SmugglingTests {

  private static final String INJECTED =
      "MAIL FROM:<ceo@bank.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n"
          + "Subject: pay now\r\n\r\nwire the money\r\n";

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private SmtpServer server;

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("\\n.\\n", "\n.\n"),
        Arguments.of("\\n.\\r\\n", "\n.\r\n"),
        Arguments.of("\\r.\\r\\n", "\r.\r\n"),
        Arguments.of("\\r\\n.\\r", "\r\n.\r"),
        Arguments.of("\\r\\n.\\n", "\r\n.\n"),
        Arguments.of("bare \\r", "\r"),
        Arguments.of("bare \\n", "\n"));
  }

  private static RawClient startTransaction(int port) throws Exception {
    RawClient c = RawClient.greeted(port);
    c.ehlo();
    assertThat(c.command("MAIL FROM:<user@example.com>").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<friend@example.com>").code()).isEqualTo(250);
    assertThat(c.command("DATA").code()).isEqualTo(354);
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void smuggledMessageIsRefusedAndItsInjectedCommandsNeverRun(String name, String variant)
      throws Exception {
    server = TestServers.start(handler);
    try (RawClient c = startTransaction(server.port())) {
      c.send("Subject: hello\r\n\r\nhi" + variant + INJECTED + ".\r\nNOOP\r\n");
      // one reply for the whole message, then the NOOP: nothing for the injected commands
      assertThat(c.reply().line())
          .isEqualTo("550 5.6.0 Bare CR or LF in message content not allowed");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 Ok");
      assertThat(c.command("RCPT TO:<x@example.com>").line()).startsWith("503 ");
    }
    assertThat(handler.messages).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void lenientModeKeepsTheSmuggledTextInsideTheOneMessage(String name, String variant)
      throws Exception {
    server = TestServers.builder(handler).lenientLineEndings(true).build().start();
    try (RawClient c = startTransaction(server.port())) {
      c.send("Subject: hello\r\n\r\nhi" + variant + INJECTED + ".\r\nNOOP\r\n");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 Ok: message accepted");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 Ok");
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().mailboxes())
        .extracting(Object::toString)
        .containsExactly("friend@example.com");
    assertThat(m.text()).startsWith("Subject: hello\r\n\r\nhi").endsWith(INJECTED);
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void bareLineEndingsInCommandLinesAreRefused() throws Exception {
    server = TestServers.start(handler);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      // the bare LF ends the refused line; what follows it is a line of its own
      c.send("MAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\r\n");
      assertThat(c.reply().line()).startsWith("500 5.5.2 ");
      assertThat(c.reply().line()).startsWith("503 5.5.1 ");
      // a bare CR does not end a line at all
      c.send("NOOP\rRSET\r\n");
      assertThat(c.reply().line()).startsWith("500 5.5.2 ");
      assertThat(c.command("RCPT TO:<b@example.com>").line()).startsWith("503 ");
    }
  }

  @Test
  void lenientModeTakesBareLfAsTheEndOfACommandLine() throws Exception {
    server = TestServers.builder(handler).lenientLineEndings(true).build().start();
    try (RawClient c = RawClient.greeted(server.port())) {
      c.send("EHLO client.test\nMAIL FROM:<a@example.com>\n");
      assertThat(c.reply().code()).isEqualTo(250);
      assertThat(c.reply().line()).isEqualTo("250 2.1.0 Sender ok");
      c.send("RCPT TO:<b@example.com>\rDATA\r\n");
      assertThat(c.reply().line()).startsWith("500 5.5.2 ");
    }
  }

  @Test
  void onlyCrLfDotCrLfEndsAMessageThatLooksFinished() throws Exception {
    server = TestServers.start(handler);
    try (RawClient c = startTransaction(server.port())) {
      // ".\r\n" not at a line start, and a line of a dot and a space: content, not an end
      c.send("a.\r\n. \r\n");
      c.send(".\r\n");
      assertThat(c.reply().code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().text()).isEqualTo("a.\r\n \r\n");
  }
}
