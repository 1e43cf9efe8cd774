package io.smtpprotocol.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine: an external tool or a native library. Outside CI a test whose
 * need is missing is skipped with a message naming it; on CI ({@code CI=true}, which CI services
 * and {@code .ci/run} set) it fails, because CI installs everything the tests use.
 *
 * <p>Shared with the other modules through this module's test jar. A skip that is expected on CI (a
 * JDK-specific test, say) is listed in {@code .ci/allowed-skips} instead.
 */
public final class Requirements {

  private Requirements() {}

  /** Whether this run is on CI. */
  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Requires the executable {@code name}: the system property {@code tool.<name>} when set, else
   * the first {@code name} on the {@code PATH}.
   *
   * @return its path
   */
  public static Path tool(String name) {
    Optional<Path> found = find(name);
    require(found.isPresent(), name + " (on the PATH, or -Dtool." + name + "=<path>)");
    return found.orElseThrow();
  }

  /** Whether {@link #tool} would find {@code name}, for tests that only adapt to it. */
  public static boolean hasTool(String name) {
    return find(name).isPresent();
  }

  /**
   * Requires something the test cannot run without.
   *
   * @param present whether it is there
   * @param what what it is, for the message (a tool, a native library)
   */
  public static void require(boolean present, String what) {
    if (!present && onCi()) {
      fail(what + " is required on CI (CI=true) but missing: install it in .ci/run");
    }
    Assumptions.assumeTrue(present, () -> what + " is missing: skipped (this fails on CI)");
  }

  private static Optional<Path> find(String name) {
    String property = System.getProperty("tool." + name);
    if (property != null && !property.isEmpty()) {
      Path path = Path.of(property);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }
}
