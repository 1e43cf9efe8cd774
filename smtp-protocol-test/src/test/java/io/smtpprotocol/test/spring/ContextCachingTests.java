package io.smtpprotocol.test.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.smtpprotocol.test.ReceivedMessage;
import io.smtpprotocol.test.SmtpTestServer;
import io.smtpprotocol.tls.TlsMode;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Test classes with equal annotations share the cached context and its server; other values get
 * their own. The fixtures below run only inside these tests, through JUnit's test kit.
 */
class ContextCachingTests {

  private static final String FIXTURES = "io.smtpprotocol.test.spring.fixtures";
  static final Map<String, SmtpTestServer> servers = new ConcurrentHashMap<>();

  @Test
  void equalAnnotationsShareOneServerAndOthersGetTheirOwn() {
    servers.clear();

    EngineTestKit.engine("junit-jupiter")
        .configurationParameter(FIXTURES, "true")
        .selectors(
            selectClass(First.class),
            selectClass(Second.class),
            selectClass(ImplicitTlsWithAuth.class))
        .execute()
        .testEvents()
        .assertStatistics(s -> s.started(3).succeeded(3));

    assertThat(servers.get("First")).isSameAs(servers.get("Second"));
    assertThat(servers.get("ImplicitTlsWithAuth")).isNotSameAs(servers.get("First"));
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class MailApp {}

  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ExtendWith(Fixture.Condition.class)
  @interface Fixture {
    final class Condition implements ExecutionCondition {
      @Override
      public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getConfigurationParameter(FIXTURES).isPresent()
            ? ConditionEvaluationResult.enabled("started by ContextCachingTests")
            : ConditionEvaluationResult.disabled("a fixture of ContextCachingTests");
      }
    }
  }

  abstract static class Sending {
    @Autowired JavaMailSender mailSender;
    @Autowired SmtpTestServer smtp;

    @Test
    void sends() throws Exception {
      servers.put(getClass().getSimpleName(), smtp);
      SimpleMailMessage m = new SimpleMailMessage();
      m.setFrom("a@example.org");
      m.setTo("b@example.com");
      m.setSubject(getClass().getSimpleName());
      m.setText("x");
      mailSender.send(m);
      ReceivedMessage received = smtp.takeMessage(Duration.ofSeconds(5));
      assertThat(received.subject()).isEqualTo(getClass().getSimpleName());
      check(received);
    }

    void check(ReceivedMessage received) {}
  }

  @Fixture
  @SpringBootTest(classes = MailApp.class)
  @AutoConfigureSmtpTestServer
  static class First extends Sending {}

  @Fixture
  @SpringBootTest(classes = MailApp.class)
  @AutoConfigureSmtpTestServer
  static class Second extends Sending {}

  @Fixture
  @SpringBootTest(classes = MailApp.class)
  @AutoConfigureSmtpTestServer(tls = TlsMode.IMPLICIT, users = "app:secret", authRequired = true)
  static class ImplicitTlsWithAuth extends Sending {
    @Override
    void check(ReceivedMessage received) {
      assertThat(received.isTls()).isTrue();
      assertThat(received.authenticatedUser()).contains("app");
    }
  }
}
