package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The server as a JUnit extension: per class in a static field, per test in an instance field, and
 * independent servers in test classes that run in parallel. The fixtures below run only inside
 * these tests, through JUnit's test kit.
 */
class ExtensionLifecycleTests {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String FIXTURES = "io.smtpprotocol.test.fixtures";

  @Test
  void aStaticFieldServerLivesForTheClassAndIsResetBeforeEachTest() {
    Events tests = run(false, StaticFieldFixture.class);

    tests.assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(StaticFieldFixture.smtp.isRunning()).isFalse();
  }

  @Test
  void anInstanceFieldServerLivesForOneTest() {
    InstanceFieldFixture.seen.clear();

    Events tests = run(false, InstanceFieldFixture.class);

    tests.assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(InstanceFieldFixture.seen).hasSize(2).doesNotHaveDuplicates();
    assertThat(InstanceFieldFixture.seen).noneMatch(SmtpTestServer::isRunning);
  }

  @Test
  void serversOfTestClassesRunningInParallelDoNotSeeEachOthersMessages() {
    ParallelFixture.together.reset();

    Events tests = run(true, ParallelOne.class, ParallelTwo.class, ParallelThree.class);

    tests.assertStatistics(s -> s.started(3).succeeded(3));
  }

  @Test
  void nestedClassesShareTheOuterClassServer() {
    Events tests = run(false, OuterFixture.class);

    tests.assertStatistics(s -> s.started(4).succeeded(4));
    assertThat(OuterFixture.ports).hasSize(1);
    assertThat(OuterFixture.smtp.isRunning()).isFalse();
  }

  @Test
  void byHandTheFirstPortCallStartsTheServerAndAStoppedOneStaysStopped() throws Exception {
    SmtpTestServer smtp = SmtpTestServer.create();
    try {
      assertThat(smtp.isRunning()).isFalse();
      Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "by hand", "x");
      assertThat(smtp.isRunning()).isTrue();
      assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("by hand");

      smtp.close();

      assertThat(smtp.isRunning()).isFalse();
      assertThatThrownBy(smtp::port)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stopped");
      assertThat(smtp.messages()).hasSize(1);

      smtp.start();
      Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "again", "x");
      assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("again");
    } finally {
      smtp.close();
    }
  }

  private static Events run(boolean parallel, Class<?>... classes) {
    EngineTestKit.Builder kit =
        EngineTestKit.engine("junit-jupiter")
            .configurationParameter(FIXTURES, "true")
            .configurationParameter(
                "junit.jupiter.execution.parallel.enabled", String.valueOf(parallel));
    if (parallel) {
      kit.configurationParameter("junit.jupiter.execution.parallel.mode.default", "same_thread")
          .configurationParameter(
              "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
          .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
          .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "3");
    }
    for (Class<?> c : classes) {
      kit.selectors(selectClass(c));
    }
    Events tests = kit.execute().testEvents();
    tests.failed().stream()
        .forEach(
            e ->
                e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                    .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
                    .ifPresent(Throwable::printStackTrace));
    return tests;
  }

  /** Runs a fixture only when these tests start it. */
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ExtendWith(OnlyFromLifecycleTests.Condition.class)
  @interface OnlyFromLifecycleTests {
    final class Condition implements ExecutionCondition {
      @Override
      public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getConfigurationParameter(FIXTURES).isPresent()
            ? ConditionEvaluationResult.enabled("started by ExtensionLifecycleTests")
            : ConditionEvaluationResult.disabled("a fixture of ExtensionLifecycleTests");
      }
    }
  }

  @OnlyFromLifecycleTests
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class StaticFieldFixture {
    @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();
    static int firstPort;

    @Test
    @Order(1)
    void first() throws Exception {
      assertThat(smtp.isRunning()).isTrue();
      firstPort = smtp.port();
      smtp.rejectRecipient("nobody@example.com");
      Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "first", "x");
      assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("first");
    }

    @Test
    @Order(2)
    void second() throws Exception {
      assertThat(smtp.port()).isEqualTo(firstPort);
      assertThat(smtp.messages()).isEmpty();
      Senders.send(Senders.plain(smtp), "a@example.org", "nobody@example.com", "second", "x");
      assertThat(smtp.takeMessage(WAIT).number()).isEqualTo(1);
    }
  }

  @OnlyFromLifecycleTests
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class OuterFixture {
    @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();
    static final Set<Integer> ports = ConcurrentHashMap.newKeySet();

    @Test
    @Order(1)
    void outerBefore() {
      ports.add(smtp.port());
    }

    @Nested
    class FirstInner {
      @Test
      void inner() throws Exception {
        sendAndTake();
      }
    }

    @Nested
    class SecondInner {
      @Test
      void inner() throws Exception {
        sendAndTake();
      }
    }

    /** Runs after the first nested class ended: the server must not have stopped with it. */
    static void sendAndTake() throws Exception {
      ports.add(smtp.port());
      Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "inner", "x");
      assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("inner");
    }

    @Test
    @Order(2)
    void outerAfter() {
      ports.add(smtp.port());
      assertThat(smtp.isRunning()).isTrue();
    }
  }

  @OnlyFromLifecycleTests
  static class InstanceFieldFixture {
    static final Queue<SmtpTestServer> seen = new ConcurrentLinkedQueue<>();

    @RegisterExtension SmtpTestServer smtp = SmtpTestServer.create();

    @Test
    void one() throws Exception {
      check();
    }

    @Test
    void two() throws Exception {
      check();
    }

    private void check() throws Exception {
      seen.add(smtp);
      assertThat(smtp.isRunning()).isTrue();
      Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "mine", "x");
      assertThat(smtp.awaitMessages(1, WAIT)).hasSize(1);
      assertThat(smtp.messages()).hasSize(1);
    }
  }

  /**
   * Three classes, each with its own static server; their tests meet at a barrier to prove they
   * overlap.
   */
  abstract static class ParallelFixture {
    static final CyclicBarrier together = new CyclicBarrier(3);

    abstract SmtpTestServer smtp();

    @Test
    void sendsAndSeesOnlyItsOwnMessages() throws Exception {
      String me = getClass().getSimpleName();
      together.await(20, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        Senders.send(
            Senders.plain(smtp()), me + "@example.org", "b@example.com", me + " " + i, "x");
      }
      assertThat(smtp().awaitMessages(5, WAIT))
          .allSatisfy(m -> assertThat(m.mailFrom()).startsWith(me));
      assertThat(smtp().messages()).hasSize(5);
    }
  }

  @OnlyFromLifecycleTests
  static class ParallelOne extends ParallelFixture {
    @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

    @Override
    SmtpTestServer smtp() {
      return smtp;
    }
  }

  @OnlyFromLifecycleTests
  static class ParallelTwo extends ParallelFixture {
    @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

    @Override
    SmtpTestServer smtp() {
      return smtp;
    }
  }

  @OnlyFromLifecycleTests
  static class ParallelThree extends ParallelFixture {
    @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

    @Override
    SmtpTestServer smtp() {
      return smtp;
    }
  }
}
