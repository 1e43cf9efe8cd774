package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyParserTests {

  private final ReplyParser parser = new ReplyParser(5);

  private Reply done(ReplyParser.Step step) {
    assertThat(step).isInstanceOf(ReplyParser.Step.Done.class);
    return ((ReplyParser.Step.Done) step).reply();
  }

  @Test
  void singleLineReplyWithEnhancedStatusIsSplit() {
    Reply r = done(parser.line("250 2.1.0 Sender ok"));
    assertThat(r.code()).isEqualTo(250);
    assertThat(r.status()).isEqualTo(new EnhancedStatus(2, 1, 0));
    assertThat(r.lines()).containsExactly("Sender ok");
  }

  @Test
  void multiLineReplyCollectsEveryLine() {
    assertThat(parser.line("250-mx.test greets you")).isInstanceOf(ReplyParser.Step.More.class);
    assertThat(parser.inReply()).isTrue();
    assertThat(parser.line("250-PIPELINING")).isInstanceOf(ReplyParser.Step.More.class);
    Reply r = done(parser.line("250 SIZE 1000"));
    assertThat(r.status()).isNull();
    assertThat(r.lines()).containsExactly("mx.test greets you", "PIPELINING", "SIZE 1000");
    assertThat(parser.inReply()).isFalse();
  }

  @Test
  void enhancedStatusOnEveryLineOfAMultiLineReplyIsSplitFromEach() {
    parser.line("550-5.1.1 first");
    Reply r = done(parser.line("550 5.1.1 second"));
    assertThat(r.status()).hasToString("5.1.1");
    assertThat(r.lines()).containsExactly("first", "second");
    assertThat(r.toWire()).isEqualTo("550-5.1.1 first\r\n550 5.1.1 second\r\n");
  }

  @Test
  void statusWhoseClassDiffersFromTheCodeStaysText() {
    Reply r = done(parser.line("550 2.0.0 odd"));
    assertThat(r.status()).isNull();
    assertThat(r.lines()).containsExactly("2.0.0 odd");
  }

  @Test
  void bareCodeIsAReplyWithAnEmptyLine() {
    Reply r = done(parser.line("354"));
    assertThat(r.code()).isEqualTo(354);
    assertThat(r.lines()).containsExactly("");
  }

  @Test
  void saslChallengeIsNotTakenForAStatus() {
    Reply r = done(parser.line("334 VXNlcm5hbWU6"));
    assertThat(r.status()).isNull();
    assertThat(r.lines()).containsExactly("VXNlcm5hbWU6");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "25",
        "abc",
        "199 too low",
        "600 too high",
        "250x",
        "2a0 x",
        "250\u0000x",
        "+OK pop3"
      })
  void notAReplyLineIsMalformed(String line) {
    assertThat(parser.line(line)).isInstanceOf(ReplyParser.Step.Malformed.class);
    assertThat(parser.inReply()).isFalse();
  }

  @Test
  void codeChangingWithinAReplyIsMalformed() {
    parser.line("250-first");
    assertThat(parser.line("251 second")).isInstanceOf(ReplyParser.Step.Malformed.class);
    // the parser starts afresh afterwards
    assertThat(done(parser.line("250 ok")).lines()).isEqualTo(List.of("ok"));
  }

  @Test
  void replyLongerThanTheLineLimitIsMalformed() {
    for (int i = 0; i < 4; i++) {
      assertThat(parser.line("250-line " + i)).isInstanceOf(ReplyParser.Step.More.class);
    }
    assertThat(parser.line("250-line 5")).isInstanceOf(ReplyParser.Step.Malformed.class);
  }
}
