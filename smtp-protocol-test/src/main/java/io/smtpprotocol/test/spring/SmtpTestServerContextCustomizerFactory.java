package io.smtpprotocol.test.spring;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Adds a test server to the context of a test class with {@link AutoConfigureSmtpTestServer}. */
final class SmtpTestServerContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public @Nullable ContextCustomizer createContextCustomizer(
      Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
    AutoConfigureSmtpTestServer annotation =
        TestContextAnnotationUtils.findMergedAnnotation(
            testClass, AutoConfigureSmtpTestServer.class);
    return annotation == null ? null : new SmtpTestServerContextCustomizer(Settings.of(annotation));
  }
}
