package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyTests {

  @Test
  void singleLineWithEnhancedStatus() {
    assertThat(Reply.of(250, "2.1.0", "Sender ok").toWire()).isEqualTo("250 2.1.0 Sender ok\r\n");
  }

  @Test
  void singleLineWithoutEnhancedStatus() {
    assertThat(Reply.of(354, "Go ahead").toWire()).isEqualTo("354 Go ahead\r\n");
  }

  @Test
  void multiLineRepeatsTheCodeWithDashesButOnTheLastLine() {
    Reply ehlo = Reply.multiline(250, List.of("mx.example", "PIPELINING", "SIZE 100"));
    assertThat(ehlo.toWire()).isEqualTo("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 100\r\n");
  }

  @Test
  void multiLineRepeatsTheEnhancedStatusOnEveryLine() {
    Reply r = new Reply(550, EnhancedStatus.parse("5.7.1"), List.of("first", "second"));
    assertThat(r.toWire()).isEqualTo("550-5.7.1 first\r\n550 5.7.1 second\r\n");
    assertThat(r.text()).isEqualTo("first second");
    assertThat(r).hasToString("550-5.7.1 first | 550 5.7.1 second");
  }

  @Test
  void emptyTextStillHasTheSpace() {
    assertThat(Reply.of(250, "").toWire()).isEqualTo("250 \r\n");
  }

  @Test
  void classesAreTold() {
    assertThat(Reply.of(250, "2.0.0", "x").isPositive()).isTrue();
    assertThat(Reply.of(354, "x").isPositive()).isTrue();
    assertThat(Reply.of(451, "4.3.0", "x").isTransient()).isTrue();
    assertThat(Reply.of(451, "4.3.0", "x").isPermanent()).isFalse();
    assertThat(Reply.of(554, "5.3.2", "x").isPermanent()).isTrue();
    assertThat(Reply.of(554, "5.3.2", "x").isPositive()).isFalse();
  }

  @Test
  void withTextKeepsCodeAndStatus() {
    assertThat(Replies.SENDER_REJECTED.withText("Go away").toWire())
        .isEqualTo("550 5.7.1 Go away\r\n");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 199, 600, 1000, -250})
  void codesOutside200To599AreRefused(int code) {
    assertThatIllegalArgumentException().isThrownBy(() -> Reply.of(code, "x"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "a\r\n250 injected", "\n"})
  void lineBreaksInTextAreRefused(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> Reply.of(250, text));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Reply.multiline(250, List.of("ok", text)));
  }

  @Test
  void noLinesIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> Reply.multiline(250, List.of()));
  }

  @ParameterizedTest
  @CsvSource({"250, 5.0.0", "550, 2.0.0", "451, 5.3.0", "354, 2.0.0", "221, 4.0.0"})
  void enhancedStatusClassMustMatchTheCode(int code, String status) {
    assertThatIllegalArgumentException().isThrownBy(() -> Reply.of(code, status, "x"));
  }

  @Test
  void linesAreCopied() {
    List<String> lines = new ArrayList<>(List.of("a"));
    Reply r = Reply.multiline(250, lines);
    lines.add("b");
    assertThat(r.lines()).containsExactly("a");
  }

  // ------------------------------------------------------------ EnhancedStatus

  @ParameterizedTest
  @CsvSource({"2.0.0, 2, 0, 0", "4.4.2, 4, 4, 2", "5.7.1, 5, 7, 1", "5.999.999, 5, 999, 999"})
  void enhancedStatusParses(String text, int cls, int subject, int detail) {
    EnhancedStatus s = EnhancedStatus.parse(text);
    assertThat(s).isEqualTo(new EnhancedStatus(cls, subject, detail));
    assertThat(s).hasToString(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "5",
        "5.1",
        "5.1.1.1",
        "5..1",
        "5.1.",
        "1.0.0",
        "3.0.0",
        "6.0.0",
        "5.1000.1",
        "5.1.1000",
        "x.1.1",
        "5.1.1 ",
        " 5.1.1",
        "+5.1.1",
        "5.+1.1",
        "5.-0.1",
        "5.1.-1",
        "\u0665.1.1",
        "5.\u0661.1"
      })
  void malformedEnhancedStatusIsRefused(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> EnhancedStatus.parse(text));
  }

  @Test
  void enhancedStatusFieldsAreRangeChecked() {
    assertThatIllegalArgumentException().isThrownBy(() -> new EnhancedStatus(3, 0, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> new EnhancedStatus(5, -1, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> new EnhancedStatus(5, 0, 1000));
  }

  // ------------------------------------------------------------ the catalogue

  @Test
  void everyCataloguedReplyIsWellFormed() throws Exception {
    List<Reply> replies = new ArrayList<>();
    for (Field f : Replies.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == Reply.class) {
        replies.add((Reply) f.get(null));
      }
    }
    assertThat(replies).hasSizeGreaterThan(40);
    for (Reply r : replies) {
      String wire = r.toWire();
      assertThat(wire).as(wire).matches("[2-5][0-5][0-9] [^\\r\\n]*\\r\\n");
      if (r.code() / 100 != 3) {
        // ENHANCEDSTATUSCODES: every reply but the intermediate 354 carries one
        assertThat(r.status()).as(wire).isNotNull();
      }
    }
  }

  @Test
  void issueMandatedCodesAreInTheCatalogue() {
    assertThat(Replies.LINE_TOO_LONG.toWire()).startsWith("500 5.5.6 ");
    assertThat(Replies.TOO_MANY_RECIPIENTS.toWire()).startsWith("452 4.5.3 ");
    assertThat(Replies.TOO_MANY_CONNECTIONS.toWire()).startsWith("421 4.7.0 ");
    assertThat(Replies.IDLE_TIMEOUT.toWire()).startsWith("421 4.4.2 ");
    assertThat(Replies.SERVICE_SHUTTING_DOWN.toWire()).startsWith("421 4.3.2 ");
    assertThat(Replies.MESSAGE_TOO_BIG.toWire()).startsWith("552 5.3.4 ");
    assertThat(Replies.HANDLER_FAILURE.toWire()).startsWith("451 4.3.0 ");
    assertThat(Replies.NO_MESSAGE_HANDLER.toWire()).startsWith("554 5.3.2 ");
    assertThat(Replies.UNKNOWN_PARAMETER.toWire()).startsWith("555 ");
    assertThat(Replies.EARLY_TALKER.toWire()).startsWith("554 ");
    assertThat(Replies.CANNOT_VRFY.toWire()).startsWith("252 ");
    assertThat(Replies.HELP.toWire()).startsWith("214 ");
    assertThat(Replies.EXPN_NOT_IMPLEMENTED.toWire()).startsWith("502 ");
  }
}
