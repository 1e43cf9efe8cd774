package io.smtpprotocol.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecisionTests {

  private static final Reply ACCEPTED = Reply.of(250, "2.0.0", "default accept");
  private static final Reply REJECTED = Reply.of(550, "5.0.0", "default reject");

  @Test
  void plainAcceptAndRejectUseTheEventsDefaultReply() {
    assertThat(Decision.accept().accepted()).isTrue();
    assertThat(Decision.accept().reply()).isNull();
    assertThat(Decision.accept().replyOr(ACCEPTED, REJECTED)).isSameAs(ACCEPTED);
    assertThat(Decision.reject().accepted()).isFalse();
    assertThat(Decision.reject().replyOr(ACCEPTED, REJECTED)).isSameAs(REJECTED);
  }

  @Test
  void ownReplyWinsOverTheDefault() {
    Reply own = Reply.of(550, "5.1.1", "No such user");
    assertThat(Decision.reject(own).replyOr(ACCEPTED, REJECTED)).isSameAs(own);
    Reply ok = Reply.of(250, "2.1.5", "Fine");
    assertThat(Decision.accept(ok).replyOr(ACCEPTED, REJECTED)).isSameAs(ok);
  }

  @Test
  void rejectWithCodeEnhancedStatusAndText() {
    Decision d = Decision.reject(550, "5.1.1", "No such user");
    assertThat(d.accepted()).isFalse();
    assertThat(d.reply().toWire()).isEqualTo("550 5.1.1 No such user\r\n");
  }

  @Test
  void rejectWithCodeAndTextGetsAGenericEnhancedStatus() {
    assertThat(Decision.reject(451, "later").reply().toWire()).isEqualTo("451 4.0.0 later\r\n");
    assertThat(Decision.reject(554, "no").reply().toWire()).isEqualTo("554 5.0.0 no\r\n");
  }

  @Test
  void textStartingWithAnEnhancedStatusGivesIt() {
    assertThat(Decision.reject(550, "5.7.1 Sender blocked").reply().toWire())
        .isEqualTo("550 5.7.1 Sender blocked\r\n");
    assertThat(Decision.reject(452, "4.2.2 Mailbox full").reply().toWire())
        .isEqualTo("452 4.2.2 Mailbox full\r\n");
    assertThat(Decision.accept(250, "2.1.5 Will deliver").reply().toWire())
        .isEqualTo("250 2.1.5 Will deliver\r\n");
    // a number that is not a status stays text
    assertThat(Decision.reject(550, "550 is the code").reply().toWire())
        .isEqualTo("550 5.0.0 550 is the code\r\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"4.7.1 Sender blocked", "2.0.0 ok", "5.1.1000 no", "5.x.1 no"})
  void textWithAnEnhancedStatusThatDoesNotFitIsRefused(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Decision.reject(550, text))
        .withMessageContaining(text.substring(0, text.indexOf(' ')));
  }

  @Test
  void acceptWithCodeAndText() {
    assertThat(Decision.accept(250, "Queued as 42").reply().toWire())
        .isEqualTo("250 2.0.0 Queued as 42\r\n");
    assertThat(Decision.accept(354, "Send it").reply().toWire()).isEqualTo("354 Send it\r\n");
  }

  @ParameterizedTest
  @ValueSource(ints = {421, 451, 500, 550, 554})
  void anAcceptCannotCarryAFailureReply(int code) {
    Reply failure = Reply.of(code, (code / 100) + ".0.0", "x");
    assertThatIllegalArgumentException().isThrownBy(() -> Decision.accept(failure));
    assertThatIllegalArgumentException().isThrownBy(() -> new Decision(true, failure));
  }

  @ParameterizedTest
  @ValueSource(ints = {221, 250, 252, 354})
  void aRejectCannotCarryAPositiveReply(int code) {
    Reply positive = Reply.of(code, "x");
    assertThatIllegalArgumentException().isThrownBy(() -> Decision.reject(positive));
    assertThatIllegalArgumentException().isThrownBy(() -> new Decision(false, positive));
  }

  @Test
  void rejectWithAPositiveCodeIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> Decision.reject(250, "2.0.0", "ok"));
    assertThatIllegalArgumentException().isThrownBy(() -> Decision.reject(250, "ok"));
  }

  @Test
  void stagesAreAlreadyComplete() {
    assertThat(Decision.acceptStage().toCompletableFuture().getNow(null))
        .isEqualTo(Decision.accept());
    Decision d = Decision.reject(Replies.RECIPIENT_REJECTED);
    assertThat(d.asStage().toCompletableFuture().getNow(null)).isSameAs(d);
    assertThat((Object) Decision.accept().asStage()).isSameAs(Decision.acceptStage());
  }

  @Test
  void rejectExceptionCarriesItsReply() {
    SmtpRejectException e = new SmtpRejectException(550, "5.7.1", "Denied");
    assertThat(e.reply().toWire()).isEqualTo("550 5.7.1 Denied\r\n");
    assertThat(e.getStackTrace()).isEmpty();
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new SmtpRejectException(Reply.of(250, "2.0.0", "ok")));
  }
}
