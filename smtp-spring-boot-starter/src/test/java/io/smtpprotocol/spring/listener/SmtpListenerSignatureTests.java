package io.smtpprotocol.spring.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.autoconfigure.SmtpServerAutoConfiguration;
import io.smtpprotocol.testing.RawClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Listener signatures are checked when the context starts; a bad one fails the start-up. */
@ExtendWith(OutputCaptureExtension.class)
class SmtpListenerSignatureTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
          .withPropertyValues("smtp.server.port=0", "smtp.server.address=127.0.0.1");

  @Test
  void parameterTheEventCannotSupplyFailsStartUpNamingBeanAndMethod() {
    runner
        .withBean("badParameter", BadParameter.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("Invalid @SmtpListener(MAIL_FROM) method")
                    .hasMessageContaining(BadParameter.class.getName() + ".sender(Integer)")
                    .hasMessageContaining("on bean 'badParameter'")
                    .hasMessageContaining("parameter 0 of type java.lang.Integer"));
  }

  @Test
  void aDecisionPerRecipientIsOnlyForMessageListeners() {
    runner
        .withBean(ListFromRcpt.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining(
                        "only MESSAGE listeners may return a decision per recipient"));
    runner
        .withBean(ListOfStrings.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("a list result must be a List<Decision>"));
  }

  static class ListFromRcpt {
    @SmtpListener(SmtpEvent.RCPT_TO)
    java.util.List<io.smtpprotocol.handler.Decision> recipient() {
      return java.util.List.of();
    }
  }

  static class ListOfStrings {
    @SmtpListener(SmtpEvent.MESSAGE)
    java.util.List<String> message() {
      return java.util.List.of();
    }
  }

  @Test
  void envelopeIsNotOfferedBeforeATransactionExists() {
    runner
        .withBean(EnvelopeTooEarly.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("is not available for GREETING"));
  }

  @Test
  void unsupportedReturnTypeFailsStartUp() {
    runner
        .withBean(BadReturn.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining(BadReturn.class.getName() + ".recipient(Mailbox)")
                    .hasMessageContaining("return type java.lang.String is not supported"));
  }

  @Test
  void completionStageOfANonDecisionFailsStartUp() {
    runner
        .withBean(BadStage.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining(
                        "a CompletionStage of java.lang.String is not a decision"));
  }

  @Test
  void notificationReturningADecisionFailsStartUp() {
    runner
        .withBean(DecidingReset.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("RESET listeners must return void"));
  }

  @Test
  void twoListenersStreamingTheBodyFailStartUpNamingBoth() {
    runner
        .withBean("firstReader", FirstReader.class)
        .withBean("secondReader", SecondReader.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("may read the body as a stream")
                    .hasMessageContaining("on bean 'firstReader'")
                    .hasMessageContaining("on bean 'secondReader'"));
  }

  @Test
  void streamingListenerCannotShareTheBodyWithABufferingOne() {
    runner
        .withBean(FirstReader.class)
        .withBean(WholeReader.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("reads the body as a stream, so no other listener"));
  }

  @Test
  void oneListenerCannotTakeTheBodyTwice() {
    runner
        .withBean(Greedy.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("the message body can be taken only once"));
  }

  @Test
  void listenersAreIgnoredWithAWarningWhenTheApplicationDefinesItsOwnHandler(
      CapturedOutput output) {
    runner
        .withBean(FirstReader.class)
        .withBean("myHandler", SmtpHandler.class, () -> new SmtpHandler() {})
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(SmtpHandler.class)).isSameAs(context.getBean("myHandler"));
            });
    assertThat(output).contains("1 @SmtpListener method(s) are not called").contains("myHandler");
  }

  @Test
  void listenersAreIgnoredWithAWarningWhenTheApplicationDefinesItsOwnServer(CapturedOutput output) {
    runner
        .withBean(Recipients.class)
        .withBean(
            "myServer",
            SmtpServer.class,
            () -> SmtpServer.builder().address(InetAddress.getLoopbackAddress()).port(0).build())
        .run(context -> assertThat(context.getBean(SmtpServer.class).isRunning()).isTrue());
    assertThat(output).contains("1 @SmtpListener method(s) are not called").contains("myServer");
  }

  @Test
  void noWarningWhenTheListenersAnswer(CapturedOutput output) {
    runner.withBean(Recipients.class).run(context -> assertThat(context).hasNotFailed());
    assertThat(output).doesNotContain("are not called");
  }

  @Test
  void listenersAreFoundWhenABeanMakesTheServerEarly() {
    runner
        .withUserConfiguration(EarlyServerUser.class)
        .withBean(Recipients.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              int port = context.getBean(SmtpServer.class).port();
              try (RawClient c = RawClient.afterEhlo(port)) {
                c.command("MAIL FROM:<a@example.com>");
                assertThat(c.command("RCPT TO:<x@elsewhere.test>").code()).isEqualTo(550);
              }
            });
  }

  @Test
  void listenerHiddenFromAnEarlyServerFailsStartUpWithAHint() {
    runner
        .withUserConfiguration(EarlyServerUser.class, HiddenListenerConfiguration.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .isInstanceOf(BeanInitializationException.class)
                    .hasMessageContaining("were found after the SMTP server was created")
                    .hasMessageContaining("ObjectProvider<SmtpServer>"));
  }

  // ------------------------------------------------------------------ listener beans

  static class BadParameter {
    @SmtpListener(SmtpEvent.MAIL_FROM)
    void sender(Integer size) {}
  }

  static class EnvelopeTooEarly {
    @SmtpListener(SmtpEvent.GREETING)
    void greeting(io.smtpprotocol.handler.Envelope envelope) {}
  }

  static class BadReturn {
    @SmtpListener(SmtpEvent.RCPT_TO)
    String recipient(Mailbox to) {
      return "yes";
    }
  }

  static class BadStage {
    @SmtpListener(SmtpEvent.DATA)
    CompletionStage<String> data() {
      return null;
    }
  }

  static class DecidingReset {
    @SmtpListener(SmtpEvent.RESET)
    Decision reset() {
      return Decision.accept();
    }
  }

  static class FirstReader {
    @SmtpListener(SmtpEvent.MESSAGE)
    void message(InputStream body) {}
  }

  static class SecondReader {
    @SmtpListener(SmtpEvent.MESSAGE)
    void message(MessageBody body) {}
  }

  static class WholeReader {
    @SmtpListener(SmtpEvent.MESSAGE)
    void message(byte[] body) {}
  }

  static class Greedy {
    @SmtpListener(SmtpEvent.MESSAGE)
    void message(InputStream body, byte[] bytes) {}
  }

  static class Recipients {
    @SmtpListener(SmtpEvent.RCPT_TO)
    boolean recipient(Mailbox to) {
      return to.domainLowerCase().equals("example.com");
    }
  }

  /** Injects the server into a singleton, which makes it before the listeners are scanned. */
  static class EarlyServerUser {
    EarlyServerUser(SmtpServer server) {}
  }

  @Configuration(proxyBeanMethods = false)
  static class HiddenListenerConfiguration {
    /** Its type cannot be predicted before it exists: Object hides the listener. */
    @Bean
    Object hiddenListener() {
      return new Recipients();
    }
  }
}
