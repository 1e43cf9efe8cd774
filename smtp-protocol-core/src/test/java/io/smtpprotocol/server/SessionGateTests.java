package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one precondition gate, as a client meets it: through an {@code EmbeddedChannel}. */
class SessionGateTests {

  private static final String HELLO = "EHLO client.test\r\n";
  private static final String MAIL = "MAIL FROM:<a@client.test>\r\n";
  private static final String RCPT = "RCPT TO:<b@mx.test>\r\n";

  /** The reply codes after {@code setup}, to {@code command}. */
  private static List<String> answer(SmtpServerBuilder server, String setup, String command) {
    try (SessionHarness s = new SessionHarness(server)) {
      s.send(setup);
      return s.send(command);
    }
  }

  @ParameterizedTest(name = "{0} after [{1}] -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "MAIL FROM:<a@client.test>|             |503",
        "RCPT TO:<b@mx.test>      |             |503",
        "RCPT TO:<b@mx.test>      |HELLO        |503",
        "DATA                     |             |503",
        "DATA                     |HELLO        |503",
        "DATA                     |HELLO MAIL   |503",
        "DATA                     |HELLO MAIL RCPT|354",
        "MAIL FROM:<a@client.test>|HELLO MAIL   |503",
        "MAIL FROM:<a@client.test>|HELLO        |250",
        "STARTTLS                 |HELLO        |502",
        "AUTH PLAIN               |HELLO        |502",
        "LHLO client.test         |             |500",
        "XYZZY                    |             |500",
        "NOOP                     |             |250",
        "RSET                     |             |250",
        "HELP                     |             |214",
        "EXPN list                |HELLO        |502",
      })
  void commandIsRefusedUntilItsPreconditionsHold(String command, String setup, String code) {
    assertThat(answer(SessionPhaseTests.server(), script(setup), command + "\r\n"))
        .containsExactly(code);
  }

  private static String script(String setup) {
    if (setup == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String step : setup.trim().split(" +")) {
      sb.append(
          switch (step) {
            case "HELLO" -> HELLO;
            case "MAIL" -> MAIL;
            case "RCPT" -> RCPT;
            default -> throw new IllegalArgumentException(step);
          });
    }
    return sb.toString();
  }

  @Test
  void refusedBdatChunkIsReadAndDroppedSoTheInputStaysInStep() {
    assertThat(answer(SessionPhaseTests.server(), HELLO, "BDAT 6\r\nNOOP\r\nNOOP\r\n"))
        .containsExactly("503", "250");
  }

  @Test
  void bdatWithoutChunkingIsNotImplementedAndItsChunkIsDropped() {
    SmtpServerBuilder server = SessionPhaseTests.server().chunking(false);
    assertThat(answer(server, HELLO + MAIL + RCPT, "BDAT 4\r\nNOOPNOOP\r\n"))
        .containsExactly("502", "250");
  }

  @Test
  void bdatBeforeRecipientsIsRefusedWithNeedRcpt() {
    assertThat(answer(SessionPhaseTests.server(), HELLO + MAIL, "BDAT 2 LAST\r\nhiNOOP\r\n"))
        .containsExactly("503", "250");
  }

  @Test
  void dataAfterBdatIsRefused() {
    assertThat(answer(SessionPhaseTests.server(), HELLO + MAIL + RCPT, "BDAT 2\r\nhiDATA\r\n"))
        .containsExactly("250", "503");
  }

  @Test
  void malformedLineIsAnsweredBeforeTheGate() {
    assertThat(answer(SessionPhaseTests.server(), "", "MAIL TO:<a@b>\r\n")).containsExactly("501");
  }

  @Test
  void tlsRequiredRefusesMailOnAPlainConnection() {
    SmtpServerBuilder server =
        SessionPhaseTests.server()
            .tls(io.smtpprotocol.tls.TlsMode.STARTTLS, () -> null)
            .tlsRequired(true);
    assertThat(answer(server, HELLO, MAIL)).containsExactly("530");
  }
}
