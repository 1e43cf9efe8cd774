package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.server.SmtpServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No value a caller passes can add a command: CR, LF and NUL are refused before anything is sent.
 */
class ArgumentCheckTests {

  private static final Inbox inbox = new Inbox();
  private static SmtpServer server;
  private static SmtpClient client;
  private static SmtpConnection connection;

  @BeforeAll
  static void start() {
    server = Servers.builder(inbox).build().start();
    client = Servers.client().allowInsecureAuth(true).build();
    connection = join(client.connect("127.0.0.1", server.port()));
    join(connection.ehlo("client.test"));
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\r\nRCPT TO:<evil@example.com>", "\nQUIT", "x\rQUIT", "x\u0000y"})
  void lineBreaksAndNulInAnyValueAreRefused(String bad) {
    assertThatThrownBy(() -> connection.helo("client" + bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> connection.ehlo("client" + bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> connection.verify("bob" + bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> connection.command("NOOP" + bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> connection.login("alice" + bad, "secret", "PLAIN"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> connection.login("alice", "secret" + bad, "PLAIN"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                connection.mailFrom(
                    ReversePath.NULL, new MailParameters(Map.of("ENVID", "x" + bad))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                connection.rcptTo(
                    Mailbox.parse("b@example.org"),
                    new MailParameters(Map.of("NOTIFY" + bad, "NEVER"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Mailbox.parse("bob" + bad + "@example.org"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Servers.client().localHost("client" + bad))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.connect("localhost" + bad, 25))
        .isInstanceOf(IllegalArgumentException.class);
    // the session is untouched: nothing was sent
    assertThat(join(connection.noop()).code()).isEqualTo(250);
  }

  @ParameterizedTest
  @ValueSource(strings = {"A B", "NOTIFY=SUCCESS RET"})
  void parameterValuesWithSpacesAreRefused(String value) {
    assertThatThrownBy(
            () -> connection.mailFrom(ReversePath.NULL, new MailParameters(Map.of("ENVID", value))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"DATA", "STARTTLS", "AUTH PLAIN", "bdat 10 LAST"})
  void commandsWithTheirOwnMethodAreRefusedAsRawCommands(String line) {
    assertThatThrownBy(() -> connection.command(line)).isInstanceOf(IllegalArgumentException.class);
  }
}
