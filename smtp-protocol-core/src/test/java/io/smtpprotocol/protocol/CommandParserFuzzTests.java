package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Fuzz target for {@link CommandParser}. The normal build replays the seeds in {@code
 * CommandParserFuzzTestsInputs}; {@code JAZZER_FUZZ=1 mvn test -Dtest=CommandParserFuzzTests}
 * fuzzes.
 */
class CommandParserFuzzTests {

  private static final Set<String> VERBS =
      Set.of(
          "HELO",
          "EHLO",
          "LHLO",
          "MAIL",
          "RCPT",
          "DATA",
          "BDAT",
          "RSET",
          "NOOP",
          "QUIT",
          "VRFY",
          "EXPN",
          "HELP",
          "STARTTLS",
          "AUTH",
          "XCLIENT");

  @FuzzTest(maxDuration = "10m")
  void parseNeverThrows(byte[] input) {
    String line = new String(input, StandardCharsets.UTF_8);
    Command command = CommandParser.parse(line);
    assertThat(command).isNotNull();

    if (line.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      assertThat(command).isInstanceOf(Command.Invalid.class);
      assertThat(((Command.Invalid) command).reply()).isEqualTo(Replies.CONTROL_CHARACTER);
      return;
    }
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    if (!VERBS.contains(verb)) {
      assertThat(command).isInstanceOf(Command.Unknown.class);
      return;
    }
    assertThat(command).isNotInstanceOf(Command.Unknown.class);
    assertThat(command.verb()).isEqualTo(verb);

    // what the parser accepted survives being written out and parsed again
    if (command instanceof Command.MailFrom mail) {
      String again = "MAIL FROM:" + mail.from() + params(mail.parameters());
      assertThat(CommandParser.parse(again)).isEqualTo(mail);
    } else if (command instanceof Command.RcptTo rcpt) {
      String again = "RCPT TO:<" + rcpt.to().address() + ">" + params(rcpt.parameters());
      assertThat(CommandParser.parse(again)).isEqualTo(rcpt);
    } else if (command instanceof Command.Bdat bdat) {
      assertThat(CommandParser.parse("BDAT " + bdat.size() + (bdat.last() ? " LAST" : "")))
          .isEqualTo(bdat);
    } else if (command instanceof Command.Hello hello) {
      assertThat(hello.domain()).isNotBlank().doesNotContain(" ");
    }
  }

  private static String params(MailParameters parameters) {
    return parameters.isEmpty() ? "" : " " + parameters;
  }
}
