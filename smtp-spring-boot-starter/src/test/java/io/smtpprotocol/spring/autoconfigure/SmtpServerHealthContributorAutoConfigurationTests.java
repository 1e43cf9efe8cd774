package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.spring.health.SmtpServerHealthIndicator;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Conditions of {@link SmtpServerHealthContributorAutoConfiguration}. */
class SmtpServerHealthContributorAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SmtpServerAutoConfiguration.class,
                  SmtpServerHealthContributorAutoConfiguration.class,
                  HealthContributorRegistryAutoConfiguration.class))
          .withPropertyValues("smtp.server.port=0", "smtp.server.address=127.0.0.1");

  @Test
  void healthContributorIsNamedSmtpAndUpWhileTheServerRuns() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(SmtpServerHealthIndicator.class);
          HealthIndicator smtp =
              (HealthIndicator)
                  context.getBean(HealthContributorRegistry.class).getContributor("smtp");
          assertThat(smtp).isNotNull();
          assertThat(smtp.health().getStatus()).isEqualTo(Status.UP);
        });
  }

  @Test
  void healthContributorBacksOffWhenDisabled() {
    runner
        .withPropertyValues("management.health.smtp.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(SmtpServerHealthIndicator.class));
  }

  @Test
  void healthContributorBacksOffWithoutTheHealthModule() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).doesNotHaveBean(SmtpServerHealthIndicator.class));
  }

  @Test
  void healthContributorBacksOffWhenTheServerIsDisabled() {
    runner
        .withPropertyValues("smtp.server.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(SmtpServerHealthIndicator.class));
  }

  @Test
  void userHealthIndicatorNamedSmtpWins() {
    runner
        .withBean("smtpHealthIndicator", HealthIndicator.class, () -> () -> null)
        .run(context -> assertThat(context).doesNotHaveBean(SmtpServerHealthIndicator.class));
  }
}
