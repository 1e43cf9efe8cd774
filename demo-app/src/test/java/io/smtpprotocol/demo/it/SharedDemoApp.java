package io.smtpprotocol.demo.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link DemoApp} parameter with one jar process in its default configuration, started
 * once and shared by every test class that uses this extension (stopped when the run ends).
 */
final class SharedDemoApp implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedDemoApp.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == DemoApp.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(
            "default",
            key -> {
              try {
                return DemoApp.start(Map.of());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            DemoApp.class);
  }
}
